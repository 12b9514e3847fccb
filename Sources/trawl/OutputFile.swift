import Foundation
import Trawl

/// Opens where records go, enforcing the rules that keep finished records safe.
enum OutputFile {
    /// The opened output, and what resume found in it.
    struct Opened {
        var fd: Int32
        var name: String
        var resumed: ResumeIndex.Result?
    }

    /// Opens `path` (`nil` = standard output).
    /// - An existing regular file is refused (exit 73) unless `resume` (append to it) or `force` (truncate it).
    /// - Other targets (`/dev/null`, a pipe) are opened as they are.
    static func open(path: String?, resume: Bool, force: Bool) throws(ExitError) -> Opened {
        guard let path else { return Opened(fd: STDOUT_FILENO, name: "stdout", resumed: nil) }
        var info = stat()
        let exists = stat(path, &info) == 0
        let isRegular = exists && (info.st_mode & S_IFMT) == S_IFREG
        if isRegular && !resume && !force {
            throw ExitError(
                code: .cannotCreate,
                message: "the output '\(path)' already exists; use --resume to continue it or --force to overwrite it")
        }
        var flags = O_CREAT | O_APPEND | O_CLOEXEC
        flags |= (resume && isRegular) ? O_RDWR : O_WRONLY
        if force && isRegular { flags |= O_TRUNC }
        let fd = Foundation.open(path, flags, 0o644)
        guard fd >= 0 else {
            throw ExitError(
                code: .cannotCreate, message: "cannot open the output '\(path)': \(String(cString: strerror(errno)))")
        }
        var resumed: ResumeIndex.Result?
        if resume && isRegular {
            do {
                resumed = try ResumeIndex.load(fd: fd)
            } catch {
                throw ExitError(code: .cannotCreate, message: "cannot resume '\(path)': \(error)")
            }
        }
        return Opened(fd: fd, name: path, resumed: resumed)
    }
}

/// Opens the input list.
enum InputFile {
    static func open(_ path: String) throws(ExitError) -> LineReader {
        if path == "-" { return LineReader(fd: STDIN_FILENO, closeOnDeinit: false) }
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
        return LineReader(fd: fd, closeOnDeinit: true)
    }
}
