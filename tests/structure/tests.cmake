# The module graph is enforced by the include roots (harness/CMakeLists.txt): a file sees only the
# headers of its module and of the modules it declares. These two compiles prove it stays so:
# scenario's sources can include what scenario declares (core, vocabulary) and fail on a header of
# protocol/, which scenario does not declare.
set(_scenario_roots -I${PROJECT_BINARY_DIR}/include/scenario -I${PROJECT_BINARY_DIR}/include/core
    -I${PROJECT_BINARY_DIR}/include/vocabulary)
add_test(NAME structure.declared_include_compiles
  COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only ${_scenario_roots}
          ${CMAKE_CURRENT_LIST_DIR}/declared_include.cpp)
add_test(NAME structure.undeclared_include_fails
  COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only ${_scenario_roots}
          ${CMAKE_CURRENT_LIST_DIR}/undeclared_include.cpp)
set_tests_properties(structure.undeclared_include_fails PROPERTIES
  PASS_REGULAR_EXPRESSION "protocol/validate.h: No such file")
set_tests_properties(structure.declared_include_compiles structure.undeclared_include_fails
  PROPERTIES LABELS unit)
