#include "cli/app.h"

int main(int argc, char** argv) {
  return konform::cli::run(argc, argv);
}
