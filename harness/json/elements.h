#pragma once
// Splitting a stream of JSON values into its elements, as streaming servers write them: values
// one after another (one per line, ksqlDB's KSQL 5.x and /query-stream layouts), or a JSON array
// whose elements arrive one by one and that may be left unclosed ("[a,b," — the writer stopped)
// or closed after a trailing comma ("[a,b,]" — ksqlDB >= 0.24 after a push-query error).
// Elements are found by bracket depth outside strings, in one pass that can be fed in pieces of
// any size; whether an element is valid JSON is for the caller to check (json::locate_error).
// Used by the ksqlDB stream validator (protocol) and by the comparison (compare).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace konform::json {

// An element of the stream: bytes [begin, end) of the text fed so far.
struct ElementSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  friend bool operator==(const ElementSpan&, const ElementSpan&) = default;
};

class ElementSplitter {
public:
  enum class Layout {
    array,    // '[' element (',' element)* then ']', or the end of the stream
    sequence, // elements separated by whitespace (commas between them are skipped)
  };
  enum class Ending {
    closed,         // the array was closed (a sequence always ends so)
    unclosed,       // the stream ended before the array's ']'
    trailing_comma, // ",]": a comma before the closing bracket
  };

  explicit ElementSplitter(Layout layout)
      : layout_(layout),
        state_(layout == Layout::array ? State::before_array : State::expect_element) {}

  // Scans the next piece of the stream; offsets count from the start of the first piece.
  void feed(std::string_view piece);
  // The stream has ended: an element still open is cut off (an error).
  void finish();

  const std::vector<ElementSpan>& elements() const { return elements_; }
  Ending ending() const { return ending_; }
  // Where the text stopped being a stream of elements, and why; nothing more is read after it.
  std::optional<std::size_t> error_at() const { return error_at_; }
  const std::string& error() const { return error_; }

private:
  enum class State { before_array, expect_element, after_element, in_value, closed, failed };
  void fail(std::size_t at, std::string what);
  // Handles one byte outside a value; returns false when it starts a value.
  bool between(char c, std::size_t at);
  void end_value(std::size_t end);

  Layout layout_;
  State state_;
  bool after_comma_ = false;
  std::size_t offset_ = 0; // of the next byte fed
  // The value being scanned.
  std::size_t value_begin_ = 0;
  int depth_ = 0;
  bool scalar_ = false;
  bool in_string_ = false;
  bool escaped_ = false;

  std::vector<ElementSpan> elements_;
  Ending ending_ = Ending::closed;
  std::optional<std::size_t> error_at_;
  std::string error_;
};

// The elements of a whole text, its ending and any error (a splitter fed once).
struct SplitElements {
  std::vector<ElementSpan> elements;
  ElementSplitter::Ending ending = ElementSplitter::Ending::closed;
  std::optional<std::size_t> error_at;
  std::string error;
};
SplitElements split_elements(std::string_view text, ElementSplitter::Layout layout);

// "[e0,e1,...]": the elements of `text` as one JSON array text.
std::string join_elements(std::string_view text, std::span<const ElementSpan> elements);

} // namespace konform::json
