#include "config/config_error.hpp"

namespace icto {

std::string config_error::to_string() const {
  std::string result = file;
  if (line > 0) {
    result += ':';
    result += std::to_string(line);
    if (column > 0) {
      result += ':';
      result += std::to_string(column);
    }
  }
  result += ": ";
  if (!key.empty()) {
    result += key;
    result += ": ";
  }
  result += message;
  return result;
}

} // namespace icto
