import Foundation

/// A regular file's device and inode: two names (or descriptors) with the same identity are one file.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(_ info: stat) {
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Darwin's dev_t is a signed 32-bit number, which may be negative: sign-extended (equal stays equal), not
        // trapped on.
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }

    /// The identity of the file open on `fd`, or `nil` if that is not a regular file (a pipe, a terminal).
    init?(fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        self.init(info)
    }
}
