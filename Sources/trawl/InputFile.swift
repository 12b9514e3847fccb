import Foundation
import Trawl

/// Opens the input list.
enum InputFile {
    /// The list, and the identity of the file it is read from, if a regular file (stdin may be one too).
    struct Opened {
        var reader: LineReader
        var identity: FileIdentity?
    }

    static func open(_ path: String) throws(ExitError) -> Opened {
        if path == "-" {
            guard !StandardStreams.inputWasClosed else {
                throw ExitError(
                    code: .noInput, message: "standard input is closed: give the list as a file, or pipe it in")
            }
            return Opened(
                reader: LineReader(fd: STDIN_FILENO, closeOnDeinit: false), identity: FileIdentity(fd: STDIN_FILENO))
        }
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ExitError(
                code: .noInput, message: "cannot read the input '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ExitError(code: .noInput, message: "cannot read the input '\(path)': it is a directory")
        }
        return Opened(reader: LineReader(fd: fd, closeOnDeinit: true), identity: FileIdentity(info))
    }
}
