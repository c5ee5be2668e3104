#include "node/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace icto {

namespace fs = std::filesystem;

result<unit> write_file_atomically(const fs::path& path,
                                   const std::string& text, mode_t mode) {
  std::error_code ec;
  if (path.has_parent_path())
    fs::create_directories(path.parent_path(), ec);
  if (ec)
    return make_error(system_errc::storage_failure,
                      "cannot create " + path.parent_path().string() + ": "
                          + ec.message());
  const auto tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return make_error(system_errc::storage_failure,
                      "cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto reason = std::string{std::strerror(errno)};
      ::close(fd);
      return make_error(system_errc::storage_failure,
                        "cannot write " + tmp + ": " + reason);
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path, ec);
  if (ec)
    return make_error(system_errc::storage_failure, "cannot rename " + tmp
                                                        + " to " + path.string()
                                                        + ": " + ec.message());
  return unit{};
}

} // namespace icto
