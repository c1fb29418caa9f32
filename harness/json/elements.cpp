#include "json/elements.h"

namespace konform::json {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A scalar (number, true, false, null, or anything else the caller will reject) ends here.
bool ends_scalar(char c) {
  return is_space(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{';
}

std::string unexpected(char c, std::string_view expected) {
  return std::string("unexpected '") + c + "' between elements" +
         (expected.empty() ? "" : ": expected " + std::string(expected));
}

} // namespace

void ElementSplitter::fail(std::size_t at, std::string what) {
  if (!error_at_) {
    error_at_ = at;
    error_ = std::move(what);
  }
  state_ = State::failed;
}

void ElementSplitter::end_value(std::size_t end) {
  elements_.push_back({value_begin_, end});
  state_ = State::after_element;
}

bool ElementSplitter::between(char c, std::size_t at) {
  if (is_space(c) || state_ == State::failed) return true;
  switch (state_) {
  case State::before_array:
    if (c != '[') {
      fail(at, "expected '[' (a JSON array)");
      return true;
    }
    state_ = State::expect_element;
    return true;
  case State::closed:
    fail(at, "text after the closing ']'");
    return true;
  case State::expect_element:
  case State::after_element:
    break;
  case State::in_value:
  case State::failed:
    return true;
  }
  if (layout_ == Layout::sequence) {
    if (c == ',') return true; // "a,\nb" (elements that end in a comma) reads as a and b
    if (c == ']' || c == '}') {
      fail(at, unexpected(c, ""));
      return true;
    }
    return false;
  }
  if (c == ']') {
    state_ = State::closed;
    ending_ = after_comma_ ? Ending::trailing_comma : Ending::closed;
    return true;
  }
  if (state_ == State::after_element) {
    if (c == ',') {
      state_ = State::expect_element;
      after_comma_ = true;
    } else {
      fail(at, unexpected(c, "',' or ']'"));
    }
    return true;
  }
  if (c == ',' || c == '}') {
    fail(at, unexpected(c, "an element or ']'"));
    return true;
  }
  return false;
}

void ElementSplitter::feed(std::string_view piece) {
  for (std::size_t k = 0; k < piece.size(); ++k) {
    const char c = piece[k];
    const std::size_t at = offset_ + k;
    if (state_ == State::in_value) {
      if (scalar_) {
        if (!ends_scalar(c)) continue;
        end_value(at); // and c is read below, between elements
      } else {
        if (in_string_) {
          if (escaped_)
            escaped_ = false;
          else if (c == '\\')
            escaped_ = true;
          else if (c == '"') {
            in_string_ = false;
            if (depth_ == 0) end_value(at + 1);
          }
        } else if (c == '"') {
          in_string_ = true;
        } else if (c == '{' || c == '[') {
          ++depth_;
        } else if ((c == '}' || c == ']') && --depth_ == 0) {
          end_value(at + 1);
        }
        continue;
      }
    }
    if (between(c, at)) continue;
    // c starts an element.
    state_ = State::in_value;
    after_comma_ = false;
    value_begin_ = at;
    scalar_ = c != '"' && c != '{' && c != '[';
    in_string_ = c == '"';
    escaped_ = false;
    depth_ = (c == '{' || c == '[') ? 1 : 0;
  }
  offset_ += piece.size();
}

void ElementSplitter::finish() {
  switch (state_) {
  case State::in_value:
    if (scalar_) {
      end_value(offset_);
      if (layout_ == Layout::array) ending_ = Ending::unclosed;
    } else {
      fail(value_begin_, "this element is cut off (the body ends inside it)");
    }
    break;
  case State::before_array:
    fail(offset_, "expected '[' (a JSON array), not an empty stream");
    break;
  case State::expect_element:
  case State::after_element:
    if (layout_ == Layout::array) ending_ = Ending::unclosed;
    break;
  case State::closed:
  case State::failed:
    break;
  }
}

SplitElements split_elements(std::string_view text, ElementSplitter::Layout layout) {
  ElementSplitter s(layout);
  s.feed(text);
  s.finish();
  return {s.elements(), s.ending(), s.error_at(), s.error()};
}

std::string join_elements(std::string_view text, std::span<const ElementSpan> elements) {
  std::size_t size = 2 + elements.size();
  for (const auto& e : elements)
    size += e.end - e.begin;
  std::string out;
  out.reserve(size);
  out += '[';
  for (std::size_t k = 0; k < elements.size(); ++k) {
    if (k > 0) out += ',';
    out.append(text.substr(elements[k].begin, elements[k].end - elements[k].begin));
  }
  out += ']';
  return out;
}

} // namespace konform::json
