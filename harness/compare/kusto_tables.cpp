#include "compare/kusto_tables.h"

#include "compare/tape.h"
#include "core/text.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace konform::compare {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The tables of a document (KustoTables::Doc holds them, so they are not in the unnamed
// namespace).
namespace kusto_detail {

struct Fragment {
  simdjson::dom::array rows;
  std::size_t frame = 0; // v2: index of the frame in the body; v1: index of the table
};

struct Table {
  std::string_view label;       // for messages: "PrimaryResult", "QueryStatus", a v2 TableName
  std::string_view kind;        // PrimaryResult, QueryCompletionInformation, QueryStatus, ...
  std::string_view name;        // TableName as sent
  simdjson::dom::object header; // the DataTable / TableHeader frame or the v1 table object
  element frame;                // the same, as an element (for excerpts)
  std::size_t index = 0;        // frame (v2) or table (v1) index of the header
  bool v1 = false;
  std::optional<simdjson::dom::array> columns;
  std::vector<std::string_view> column_names;
  std::vector<std::string_view> column_types;
  std::vector<Fragment> fragments;
  bool matched = false;
  std::optional<std::int64_t> id; // v2 TableId, which TableFragment frames refer to

  // Empty again, keeping the vectors' memory for the next document.
  void reset() {
    label = kind = name = {};
    header = {};
    frame = {};
    index = 0;
    v1 = false;
    columns.reset();
    column_names.clear();
    column_types.clear();
    fragments.clear();
    matched = false;
    id.reset();
  }
};

} // namespace kusto_detail

// One document's tables, and the frames that are not table data (v2). The Table objects are
// kept between documents (`count` of them are this document's) with their vectors' memory.
struct KustoTables::Doc {
  std::vector<kusto_detail::Table> pool;
  std::size_t count = 0;
  std::vector<std::pair<std::size_t, simdjson::dom::element>> others;

  std::span<kusto_detail::Table> tables() { return {pool.data(), count}; }
  std::span<const kusto_detail::Table> tables() const { return {pool.data(), count}; }
  kusto_detail::Table& add() {
    if (count == pool.size()) pool.emplace_back();
    kusto_detail::Table& t = pool[count++];
    t.reset();
    return t;
  }
  void clear() {
    count = 0;
    others.clear();
  }
};

namespace {

using kusto_detail::Fragment;
using kusto_detail::Table;
using Doc = KustoTables::Doc;

// The members of a v2 frame that reading it needs, found in one pass over the frame (the first
// member of a name counts, as at_key() finds it).
struct FrameMembers {
  std::optional<element> frame_type;
  std::optional<element> table_name;
  std::optional<element> table_kind;
  std::optional<element> table_id;
  std::optional<element> columns;
  std::optional<element> rows;
  std::optional<element> fragment_type;

  explicit FrameMembers(simdjson::dom::object o) {
    auto take = [](std::optional<element>& into, element v) {
      if (!into) into = v;
    };
    for (auto [key, v] : o) {
      switch (key.size()) { // one length test instead of seven comparisons per member
      case 4:
        if (key == "Rows") take(rows, v);
        break;
      case 7:
        if (key == "TableId")
          take(table_id, v);
        else if (key == "Columns")
          take(columns, v);
        break;
      case 9:
        if (key == "FrameType")
          take(frame_type, v);
        else if (key == "TableName")
          take(table_name, v);
        else if (key == "TableKind")
          take(table_kind, v);
        break;
      case 17:
        if (key == "TableFragmentType") take(fragment_type, v);
        break;
      default:
        break;
      }
    }
  }

  // What string_member() gives: the member's string, empty when absent or not a string.
  static std::string_view text(const std::optional<element>& v) {
    std::string_view s;
    if (!v || v->get(s) != simdjson::SUCCESS) return {};
    return s;
  }
};

std::string_view string_member(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get(s) != simdjson::SUCCESS) return {};
  return s;
}

// One pass over a column object for what string_member() would give for each of the three
// names (the first member of a name counts, a value that is not a string reads as empty): three
// at_key() scans per column were most of the cost of reading a small response's tables.
void read_column(simdjson::dom::object co, std::string_view& name, std::string_view& type) {
  std::string_view column_type;
  std::string_view data_type;
  bool seen_name = false;
  bool seen_type = false;
  bool seen_data_type = false;
  auto take = [](element v, bool& seen, std::string_view& into) {
    seen = true;
    if (v.get(into) != simdjson::SUCCESS) into = {};
  };
  for (auto [key, v] : co) {
    if (!seen_name && key == "ColumnName")
      take(v, seen_name, name);
    else if (!seen_type && key == "ColumnType")
      take(v, seen_type, column_type);
    else if (!seen_data_type && key == "DataType")
      take(v, seen_data_type, data_type);
  }
  type = column_type.empty() ? data_type : column_type;
}

void read_columns(Table& t, element columns) {
  simdjson::dom::array cols;
  if (columns.get(cols) != simdjson::SUCCESS) return;
  t.columns = cols;
  std::size_t n = cols.size();
  t.column_names.reserve(n);
  t.column_types.reserve(n);
  for (element c : cols) {
    simdjson::dom::object co;
    std::string_view name;
    std::string_view type;
    if (c.get(co) == simdjson::SUCCESS) read_column(co, name, type);
    t.column_names.push_back(name);
    t.column_types.push_back(type);
  }
}

int column_index(const Table& t, std::string_view name) {
  for (std::size_t i = 0; i < t.column_names.size(); ++i)
    if (t.column_names[i] == name) return static_cast<int>(i);
  return -1;
}

// Walks the rows of a table across its fragments.
class RowCursor {
public:
  explicit RowCursor(const Table& t) : t_(t) { enter(0); }
  bool done() const { return frag_ >= t_.fragments.size(); }
  element row() const { return *it_; }
  std::size_t frame() const { return t_.fragments[frag_].frame; }
  std::size_t index() const { return index_; }
  void next() {
    ++it_;
    ++index_;
    if (it_ == end_) enter(frag_ + 1);
  }

private:
  void enter(std::size_t f) {
    for (frag_ = f; frag_ < t_.fragments.size(); ++frag_) {
      it_ = t_.fragments[frag_].rows.begin();
      end_ = t_.fragments[frag_].rows.end();
      index_ = 0;
      if (it_ != end_) return;
    }
  }
  const Table& t_;
  std::size_t frag_ = 0;
  simdjson::dom::array::iterator it_;
  simdjson::dom::array::iterator end_;
  std::size_t index_ = 0;
};

// What the protocol defaults leave out of one actual table.
struct Volatile {
  explicit Volatile(std::vector<char>& columns) : column(columns) {}
  std::vector<char>& column; // per actual column: never compared
  int payload = -1;          // Payload / StatusDescription: ignored in statistics rows
  int event_type_name = -1;  // QueryResourceConsumption rows
  int level_name = -1;       // LevelName / SeverityName "Stats"
  int key = -1;              // @ExtendedProperties Key / Value
  int value = -1;
  bool v1_properties = false; // v1 @ExtendedProperties: a single Value column of JSON text

  bool none() const {
    return payload < 0 && key < 0 && !v1_properties &&
           std::find(column.begin(), column.end(), 1) == column.end();
  }

  // An extra column of this row to leave out, or -1.
  int row_column(const std::vector<element>& cells) const {
    auto str = [&](int col) -> std::string_view {
      if (col < 0 || static_cast<std::size_t>(col) >= cells.size()) return {};
      std::string_view s;
      return cells[static_cast<std::size_t>(col)].get(s) == simdjson::SUCCESS ? s : "";
    };
    if (payload >= 0 &&
        (str(event_type_name) == "QueryResourceConsumption" || str(level_name) == "Stats"))
      return payload;
    if (key >= 0 && value >= 0 && (str(key) == "Cursor" || str(key) == "ServerCache")) return value;
    if (v1_properties && value >= 0 && str(value).starts_with("{\"Cursor\"")) return value;
    return -1;
  }
};

constexpr std::array<std::string_view, 7> kStatusIdColumns{
    "Timestamp",        "ClientRequestId", "ActivityId",      "SubActivityId",
    "ParentActivityId", "RequestId",       "ClientActivityId"};

void volatile_columns(const Table& t, bool defaults, Volatile& v) {
  v.column.assign(t.column_names.size(), 0);
  v.payload = v.event_type_name = v.level_name = v.key = v.value = -1;
  v.v1_properties = false;
  if (!defaults) return;
  if (t.kind == "QueryCompletionInformation" || t.kind == "QueryStatus") {
    for (std::size_t i = 0; i < t.column_names.size(); ++i) {
      bool id = std::find(kStatusIdColumns.begin(), kStatusIdColumns.end(), t.column_names[i]) !=
                kStatusIdColumns.end();
      bool datetime = text::iequals(t.column_types[i], "datetime");
      v.column[i] = id || datetime;
    }
    v.payload = column_index(t, t.kind == "QueryStatus" ? "StatusDescription" : "Payload");
    v.event_type_name = column_index(t, "EventTypeName");
    v.level_name = column_index(t, t.kind == "QueryStatus" ? "SeverityName" : "LevelName");
  } else if (t.kind == "TableOfContents") {
    int id = column_index(t, "Id");
    if (id >= 0) v.column[static_cast<std::size_t>(id)] = 1;
  } else if (t.kind == "QueryProperties") {
    v.key = column_index(t, "Key");
    v.value = column_index(t, "Value");
    v.v1_properties = t.v1 && v.key < 0;
  }
}

class TableComparer {
public:
  TableComparer(TreeComparer& tree, KustoScratch& scratch)
      : tree_(tree), map_(scratch.column_map), volatile_(scratch.volatile_columns),
        ecells_(scratch.expected_cells), cells_(scratch.actual_cells), used_(scratch.used_columns) {
  }

  void compare(const Table& te, const Table& ta) {
    push_table(ta, ta.index);
    tree_.object(te.header, ta.header, {"Rows", "Columns"});
    if (te.columns && ta.columns)
      columns(te, ta);
    else if (te.columns || ta.columns) {
      tree_.path().push_key("Columns");
      tree_.report(te.columns ? "[...]" : "(missing)", ta.columns ? "[...]" : "(missing)",
                   std::string(te.label) + ": the table has no Columns on one side");
      tree_.path().pop();
    }
    pop_table(ta);
    if (te.columns && ta.columns) rows(te, ta);
  }

private:
  void push_table(const Table& t, std::size_t index) {
    if (t.v1) tree_.path().push_key("Tables");
    tree_.path().push_index(index);
  }
  void pop_table(const Table& t) {
    tree_.path().pop();
    if (t.v1) tree_.path().pop();
  }

  void columns(const Table& te, const Table& ta) {
    const auto& ec = *te.columns;
    const auto& ac = *ta.columns;
    if (tree_.rules().matchers.empty() && same_tape(ec, ac)) {
      // The same Columns: each column pairs with the one at its position (the first unused one
      // of its name, as below), in order, and no value differs. Nothing to report.
      map_.resize(te.column_names.size());
      for (std::size_t j = 0; j < map_.size(); ++j)
        map_[j] = static_cast<int>(j);
      return;
    }
    map_.assign(te.column_names.size(), -1);
    std::vector<char>& used = used_;
    used.assign(ta.column_names.size(), 0);
    tree_.path().push_key("Columns");
    std::size_t j = 0;
    for (element col : ec) {
      std::string_view name = te.column_names[j];
      int k = -1;
      for (std::size_t i = 0; i < ta.column_names.size(); ++i)
        if (!used[i] && ta.column_names[i] == name) {
          k = static_cast<int>(i);
          break;
        }
      if (k >= 0) {
        used[static_cast<std::size_t>(k)] = 1;
        map_[j] = k;
        tree_.path().push_index(static_cast<std::size_t>(k));
        tree_.value(col, ac.at(static_cast<std::size_t>(k)).value_unsafe());
        tree_.path().pop();
      } else if (!tree_.ignored_here()) {
        tree_.report(TreeComparer::excerpt(col), "(missing)",
                     std::string(te.label) + ": column " + std::string(name) + " missing");
      }
      ++j;
    }
    std::size_t i = 0;
    for (element col : ac) {
      if (!used[i]) {
        tree_.path().push_index(i);
        if (!tree_.ignored_here())
          tree_.report("(missing)", TreeComparer::excerpt(col),
                       std::string(ta.label) + ": unexpected column " +
                           std::string(ta.column_names[i]));
        tree_.path().pop();
      }
      ++i;
    }
    // Same columns, different order: clients reading by ordinal see different data.
    int last = -1;
    bool in_order = true;
    for (int k : map_)
      if (k >= 0) {
        in_order = in_order && k > last;
        last = k;
      }
    if (!in_order) {
      auto list = [](const std::vector<std::string_view>& names) {
        std::string s;
        for (auto n : names)
          s += (s.empty() ? "" : ", ") + std::string(n);
        return s;
      };
      tree_.report(list(te.column_names), list(ta.column_names),
                   std::string(te.label) + ": columns in a different order: expected " +
                       list(te.column_names) + ", got " + list(ta.column_names));
    }
    tree_.path().pop();
  }

  // Path of a row in the actual document.
  void push_row(const Table& ta, std::size_t frame, std::size_t index) {
    push_table(ta, frame);
    tree_.path().push_key("Rows");
    tree_.path().push_index(index);
  }
  void pop_row(const Table& ta) {
    tree_.path().pop();
    tree_.path().pop();
    pop_table(ta);
  }
  // Where missing rows are reported: the Rows of the actual table's last fragment.
  void push_rows(const Table& ta) {
    push_table(ta, ta.fragments.empty() ? ta.index : ta.fragments.back().frame);
    tree_.path().push_key("Rows");
  }
  void pop_rows(const Table& ta) {
    tree_.path().pop();
    pop_table(ta);
  }

  void rows(const Table& te, const Table& ta) {
    volatile_columns(ta, tree_.rules().protocol_defaults, volatile_);
    cell_ = Cell{te.label, 0, {}};
    // Rows whose tapes are identical report nothing when each expected cell meets the actual
    // cell of the same position (and no path matcher could judge an actual cell by itself).
    identical_skip_ = tree_.rules().matchers.empty() &&
                      te.column_names.size() == ta.column_names.size() &&
                      map_.size() == ta.column_names.size();
    for (std::size_t j = 0; identical_skip_ && j < map_.size(); ++j)
      identical_skip_ = map_[j] == static_cast<int>(j);
    same_layout_ = !tree_.rules().has_path_rules &&
                   te.column_names.size() == ta.column_names.size() && volatile_.none();
    for (std::size_t j = 0; same_layout_ && j < map_.size(); ++j)
      same_layout_ = map_[j] == static_cast<int>(j);
    if (tree_.rules().has_path_rules) {
      push_rows(ta);
      bool unordered = tree_.unordered_here();
      pop_rows(ta);
      if (unordered) {
        unordered_rows(te, ta);
        return;
      }
    }
    RowCursor ce(te);
    RowCursor ca(ta);
    std::size_t r = 0;
    for (; !ce.done() && !ca.done(); ce.next(), ca.next(), ++r) {
      if (unchanged(ta, ce.row(), ca.row())) continue; // before any path is built
      push_row(ta, ca.frame(), ca.index());
      cell_.row = r;
      row(te, ta, ce.row(), ca.row());
      pop_row(ta);
    }
    tree_.set_cell(&cell_);
    cell_.column = {};
    push_rows(ta);
    for (; !ce.done(); ce.next(), ++r) {
      cell_.row = r;
      if (!tree_.ignored_here())
        tree_.report(TreeComparer::excerpt(ce.row()), "(missing)", "row missing");
    }
    pop_rows(ta);
    for (; !ca.done(); ca.next(), ++r) {
      cell_.row = r;
      push_row(ta, ca.frame(), ca.index());
      if (!tree_.ignored_here())
        tree_.report("(missing)", TreeComparer::excerpt(ca.row()), "unexpected row");
      pop_row(ta);
    }
    tree_.set_cell(nullptr);
  }

  void unordered_rows(const Table& te, const Table& ta) {
    struct Row {
      element value;
      std::size_t frame;
      std::size_t index;
    };
    std::vector<Row> er;
    std::vector<Row> ar;
    for (RowCursor c(te); !c.done(); c.next())
      er.push_back({c.row(), c.frame(), c.index()});
    for (RowCursor c(ta); !c.done(); c.next())
      ar.push_back({c.row(), c.frame(), c.index()});
    std::vector<element> ev;
    std::vector<element> av;
    for (const auto& r : er)
      ev.push_back(r.value);
    for (const auto& r : ar)
      av.push_back(r.value);
    std::vector<char> e_done;
    std::vector<char> a_used;
    TreeComparer::pair_unordered(
        ev, av,
        [&](std::size_t i, std::size_t j) {
          push_row(ta, ar[j].frame, ar[j].index);
          bool same = unchanged(ta, er[i].value, ar[j].value) ||
                      tree_.probe([&] { row(te, ta, er[i].value, ar[j].value); });
          pop_row(ta);
          return same;
        },
        e_done, a_used);
    tree_.set_cell(&cell_);
    cell_.column = {};
    push_rows(ta);
    for (std::size_t i = 0; i < er.size(); ++i)
      if (!e_done[i]) {
        cell_.row = i;
        tree_.report(TreeComparer::excerpt(er[i].value), "(missing)",
                     "expected row not found (rows compared in any order)");
      }
    pop_rows(ta);
    for (std::size_t j = 0; j < ar.size(); ++j)
      if (!a_used[j]) {
        cell_.row = j;
        push_row(ta, ar[j].frame, ar[j].index);
        tree_.report("(missing)", TreeComparer::excerpt(ar[j].value),
                     "unexpected row (rows compared in any order)");
        pop_row(ta);
      }
    tree_.set_cell(nullptr);
  }

  // An unchanged row with as many cells as the table has columns, or one that differs only in
  // volatile cells: nothing to report, decided on the tape.
  bool unchanged(const Table& ta, element er, element ar) {
    if (!identical_skip_ || tape_array_size(ar) != ta.column_names.size()) return false;
    if (same_tape(er, ar)) return true;
    return !volatile_.none() && same_outside_volatile(er, ar);
  }

  // One row, cell by cell through the column map; the path is the actual row's. (Callers skip
  // unchanged() rows first.)
  void row(const Table& te, const Table& ta, element er, element ar) {
    tree_.set_cell(&cell_);
    cell_.column = {};
    simdjson::dom::array ecells;
    simdjson::dom::array acells;
    if (er.get(ecells) != simdjson::SUCCESS || ar.get(acells) != simdjson::SUCCESS ||
        (tree_.rules().has_path_rules && tree_.ignored_here())) {
      // An in-data error object ({"OneApiErrors":[...]}) or an ignored row.
      tree_.value(er, ar);
      tree_.set_cell(nullptr);
      return;
    }
    if (same_layout_) {
      same_layout_row(te, ta, ecells, acells);
      return;
    }
    cells_.clear();
    for (element c : acells)
      cells_.push_back(c);
    if (cells_.size() != ta.column_names.size())
      tree_.report(std::to_string(te.column_names.size()) + " cells",
                   std::to_string(cells_.size()) + " cells",
                   "the row has " + std::to_string(cells_.size()) + " cells but the table has " +
                       std::to_string(ta.column_names.size()) + " columns");
    int skip = volatile_.row_column(cells_);
    std::size_t j = 0;
    for (element ec : ecells) {
      if (tree_.probe_failed()) break;
      int k = j < map_.size() ? map_[j] : -1;
      std::size_t col = static_cast<std::size_t>(k);
      if (k >= 0 && k != skip && !volatile_.column[col]) {
        cell_.column = te.column_names[j];
        tree_.path().push_index(col);
        if (col < cells_.size())
          tree_.value(ec, cells_[col]);
        else if (!tree_.ignored_here())
          tree_.report(TreeComparer::excerpt(ec), "(missing)", "cell missing");
        tree_.path().pop();
      }
      ++j;
    }
    tree_.set_cell(nullptr);
  }

  // A row of a table with volatile columns (QueryCompletionInformation: ids, timestamps,
  // statistics) whose other cells are identical on the tape, each as same_tape() decides for a
  // whole row: the walk below would report nothing, since it never compares the volatile cells.
  // Both rows have one cell per column (the caller checked the actual one).
  bool same_outside_volatile(element er, element ar) {
    if (er.type() != element_type::ARRAY || ar.type() != element_type::ARRAY) return false;
    ecells_.clear();
    cells_.clear();
    simdjson::dom::array erow = er.get_array().value_unsafe();
    simdjson::dom::array arow = ar.get_array().value_unsafe();
    for (element c : erow)
      ecells_.push_back(c);
    for (element c : arow)
      cells_.push_back(c);
    if (ecells_.size() != cells_.size()) return false;
    int skip = volatile_.row_column(cells_);
    for (std::size_t j = 0; j < cells_.size(); ++j) {
      if (static_cast<int>(j) == skip || volatile_.column[j]) continue;
      if (!same_tape(ecells_[j], cells_[j])) return false;
    }
    return true;
  }

  // The common case: same columns in the same order, nothing volatile in the table. Cells are
  // walked in lockstep and equal ones cost no path, no lookup and no copy.
  void same_layout_row(const Table& te, const Table& ta, simdjson::dom::array ecells,
                       simdjson::dom::array acells) {
    auto ei = ecells.begin();
    auto ai = acells.begin();
    std::size_t j = 0;
    for (; ei != ecells.end() && ai != acells.end(); ++ei, ++ai, ++j) {
      if (tree_.trivially_equal(*ei, *ai)) continue;
      if (tree_.probe_failed()) break;
      cell_.column = j < te.column_names.size() ? te.column_names[j] : std::string_view();
      tree_.path().push_index(j);
      tree_.value(*ei, *ai);
      tree_.path().pop();
    }
    std::size_t actual_cells = j;
    for (; ai != acells.end(); ++ai)
      ++actual_cells;
    cell_.column = {};
    if (actual_cells != ta.column_names.size())
      tree_.report(std::to_string(te.column_names.size()) + " cells",
                   std::to_string(actual_cells) + " cells",
                   "the row has " + std::to_string(actual_cells) + " cells but the table has " +
                       std::to_string(ta.column_names.size()) + " columns");
    for (; ei != ecells.end(); ++ei, ++j) {
      tree_.path().push_index(j);
      tree_.report(TreeComparer::excerpt(*ei), "(missing)", "cell missing");
      tree_.path().pop();
    }
    tree_.set_cell(nullptr);
  }

  TreeComparer& tree_;
  bool same_layout_ = false;
  bool identical_skip_ = false;
  std::vector<int>& map_; // expected column → actual column, -1 when missing
  Volatile volatile_;
  Cell cell_;
  std::vector<element>& ecells_;
  std::vector<element>& cells_;
  std::vector<char>& used_;
};

std::string_view v1_kind(std::string_view toc_kind) {
  if (toc_kind == "QueryResult") return "PrimaryResult";
  return toc_kind; // QueryProperties, QueryStatus, ...
}

bool read_v1(element root, Doc& doc) {
  doc.clear();
  simdjson::dom::array tables;
  if (root.at_key("Tables").get(tables) != simdjson::SUCCESS) return false;
  std::size_t i = 0;
  for (element t : tables) {
    Table& table = doc.add();
    table.v1 = true;
    table.index = i;
    if (t.get(table.header) != simdjson::SUCCESS) {
      doc.clear();
      return false;
    }
    table.frame = t;
    table.name = string_member(table.header, "TableName");
    table.label = table.name;
    element columns;
    if (table.header.at_key("Columns").get(columns) == simdjson::SUCCESS)
      read_columns(table, columns);
    simdjson::dom::array rows;
    if (table.header.at_key("Rows").get(rows) == simdjson::SUCCESS)
      table.fragments.push_back({rows, i});
    ++i;
  }
  std::span<Table> ts = doc.tables();
  // Roles as the SDKs assign them: with three or more tables the last one is the table of
  // contents naming the others; otherwise table 0 is the result and table 1 its properties.
  bool toc = ts.size() >= 3 && column_index(ts.back(), "Kind") >= 0 &&
             column_index(ts.back(), "Ordinal") >= 0 && !ts.back().fragments.empty();
  if (toc) {
    Table& t = ts.back();
    t.kind = t.label = "TableOfContents";
    int ord = column_index(t, "Ordinal");
    int kind = column_index(t, "Kind");
    int name = column_index(t, "Name");
    for (element row : t.fragments[0].rows) {
      simdjson::dom::array cells;
      if (row.get(cells) != simdjson::SUCCESS) continue;
      std::int64_t o = -1;
      std::string_view k;
      std::string_view n;
      if (cells.at(static_cast<std::size_t>(ord)).get(o) != simdjson::SUCCESS ||
          cells.at(static_cast<std::size_t>(kind)).get(k) != simdjson::SUCCESS)
        continue;
      if (name >= 0 && cells.at(static_cast<std::size_t>(name)).get(n) != simdjson::SUCCESS) n = {};
      if (o >= 0 && static_cast<std::size_t>(o) + 1 < ts.size()) {
        ts[static_cast<std::size_t>(o)].kind = v1_kind(k);
        if (!n.empty()) ts[static_cast<std::size_t>(o)].label = n;
      }
    }
  } else if (!ts.empty()) {
    ts[0].kind = ts[0].label = "PrimaryResult";
    if (ts.size() >= 2 && ts[1].column_names.size() == 1 && ts[1].column_names[0] == "Value")
      ts[1].kind = "QueryProperties", ts[1].label = "@ExtendedProperties";
  }
  for (auto& t : ts)
    if (t.kind.empty() && column_index(t, "SeverityName") >= 0 &&
        column_index(t, "StatusDescription") >= 0)
      t.kind = t.label = "QueryStatus"; // three tables without a table of contents (node)
  return true;
}

bool read_v2(element root, bool defaults, Doc& doc) {
  doc.clear();
  simdjson::dom::array frames;
  if (root.get(frames) != simdjson::SUCCESS) return false;
  std::size_t i = 0;
  for (element f : frames) {
    simdjson::dom::object o;
    std::optional<FrameMembers> m;
    std::string_view type;
    if (f.get(o) == simdjson::SUCCESS) {
      m.emplace(o);
      type = FrameMembers::text(m->frame_type);
    }
    if (type == "DataTable" || type == "TableHeader") {
      Table& t = doc.add();
      t.header = o;
      t.frame = f;
      t.index = i;
      t.name = t.label = FrameMembers::text(m->table_name);
      t.kind = FrameMembers::text(m->table_kind);
      std::int64_t id = 0;
      if (m->table_id && m->table_id->get(id) == simdjson::SUCCESS) t.id = id;
      if (m->columns) read_columns(t, *m->columns);
      simdjson::dom::array rows;
      if (type == "DataTable" && m->rows && m->rows->get(rows) == simdjson::SUCCESS)
        t.fragments.push_back({rows, i});
    } else if (type == "TableFragment") {
      std::int64_t id = -1;
      if (!m->table_id || m->table_id->get(id) != simdjson::SUCCESS) id = -1;
      Table* owner = nullptr;
      std::span<Table> tables = doc.tables();
      for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
        if (it->id && *it->id == id) {
          owner = &*it;
          break;
        }
      }
      simdjson::dom::array rows;
      if (owner && m->rows && m->rows->get(rows) == simdjson::SUCCESS) {
        if (FrameMembers::text(m->fragment_type) == "DataReplace")
          owner->fragments.clear(); // replace: the rows so far are discarded
        owner->fragments.push_back({rows, i});
      } else {
        doc.others.emplace_back(i, f);
      }
    } else if (type == "TableProgress" && defaults) {
      // progress reports depend on timing, not on the result
    } else {
      doc.others.emplace_back(i, f);
    }
    ++i;
  }
  return true;
}

} // namespace

void compare_kusto_v1(TreeComparer& tree, element expected, element actual, KustoScratch& scratch) {
  bool read_e = scratch.expected.read(expected, true, tree.rules().protocol_defaults);
  bool read_a = scratch.actual.read(actual, true, tree.rules().protocol_defaults);
  Doc* e = &scratch.expected.doc();
  Doc* a = &scratch.actual.doc();
  if (!read_e || !read_a) {
    tree.value(expected, actual);
    return;
  }
  tree.object(expected.get_object().value_unsafe(), actual.get_object().value_unsafe(), {"Tables"});
  TableComparer tables(tree, scratch);
  std::span<Table> et = e->tables();
  std::span<Table> at = a->tables();
  std::size_t n = std::min(et.size(), at.size());
  for (std::size_t i = 0; i < n; ++i)
    tables.compare(et[i], at[i]);
  tree.path().push_key("Tables");
  for (std::size_t i = n; i < et.size(); ++i)
    tree.report(TreeComparer::excerpt(et[i].frame), "(missing)",
                "table " + std::to_string(i) + " (" + std::string(et[i].label) + ") missing");
  for (std::size_t i = n; i < at.size(); ++i) {
    tree.path().push_index(i);
    tree.report("(missing)", TreeComparer::excerpt(at[i].frame),
                "unexpected table " + std::to_string(i) + " (" + std::string(at[i].label) + ")");
    tree.path().pop();
  }
  tree.path().pop();
}

void compare_kusto_v2(TreeComparer& tree, element expected, element actual, KustoScratch& scratch) {
  bool defaults = tree.rules().protocol_defaults;
  bool read_e = scratch.expected.read(expected, false, defaults);
  bool read_a = scratch.actual.read(actual, false, defaults);
  Doc* e = &scratch.expected.doc();
  Doc* a = &scratch.actual.doc();
  if (!read_e || !read_a || (tree.rules().has_path_rules && tree.unordered_here())) {
    tree.value(expected, actual);
    return;
  }
  // Other frames (DataSetHeader, TableCompletion, DataSetCompletion) paired by FrameType in
  // order of appearance, so one extra frame is one difference.
  auto frame_type = [](element f) {
    std::string_view type;
    if (f.at_key("FrameType").get(type) != simdjson::SUCCESS) return std::string_view();
    return type;
  };
  auto frame_name = [&](element f) {
    std::string_view type = frame_type(f);
    return type.empty() ? std::string("element") : "frame " + std::string(type);
  };
  std::vector<char>& used = scratch.used_frames;
  used.assign(a->others.size(), 0);
  for (const auto& [ei, ef] : e->others) {
    std::size_t match = a->others.size();
    for (std::size_t k = 0; k < a->others.size() && match == a->others.size(); ++k)
      if (!used[k] && frame_type(a->others[k].second) == frame_type(ef)) match = k;
    if (match == a->others.size()) {
      tree.report(TreeComparer::excerpt(ef), "(missing)", frame_name(ef) + " missing");
      continue;
    }
    used[match] = 1;
    tree.path().push_index(a->others[match].first);
    tree.value(ef, a->others[match].second);
    tree.path().pop();
  }
  for (std::size_t k = 0; k < a->others.size(); ++k)
    if (!used[k]) {
      tree.path().push_index(a->others[k].first);
      tree.report("(missing)", TreeComparer::excerpt(a->others[k].second),
                  "unexpected " + frame_name(a->others[k].second));
      tree.path().pop();
    }
  // Tables paired by kind and name, in order of appearance.
  TableComparer tables(tree, scratch);
  for (auto& te : e->tables()) {
    Table* match = nullptr;
    for (auto& ta : a->tables())
      if (!ta.matched && ta.kind == te.kind && ta.name == te.name) {
        match = &ta;
        break;
      }
    if (!match) {
      tree.report(TreeComparer::excerpt(te.frame), "(missing)",
                  "table " + std::string(te.label) + " (" + std::string(te.kind) + ") missing");
      continue;
    }
    match->matched = true;
    tables.compare(te, *match);
  }
  for (auto& ta : a->tables())
    if (!ta.matched) {
      tree.path().push_index(ta.index);
      tree.report("(missing)", TreeComparer::excerpt(ta.frame),
                  "unexpected table " + std::string(ta.label) + " (" + std::string(ta.kind) + ")");
      tree.path().pop();
    }
}

KustoTables::KustoTables() : doc_(std::make_unique<Doc>()) {}
KustoTables::~KustoTables() = default;

bool KustoTables::read(element root, bool v1, bool protocol_defaults) {
  return v1 ? read_v1(root, *doc_) : read_v2(root, protocol_defaults, *doc_);
}

std::optional<TableAt> KustoTables::at(std::size_t index) const {
  for (const Table& t : doc_->tables()) {
    bool here = t.index == index;
    for (std::size_t f = 0; !here && f < t.fragments.size(); ++f)
      here = t.fragments[f].frame == index;
    if (here) return TableAt{index, t.label.empty() ? t.kind : t.label, t.column_names};
  }
  return std::nullopt;
}

} // namespace konform::compare
