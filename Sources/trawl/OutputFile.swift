import Foundation
import Trawl

/// Opens where records go, enforcing the rules that keep finished records safe.
enum OutputFile {
    /// The opened output, and what resume found in it.
    struct Opened {
        var fd: Int32
        var name: String
        var resumed: ResumeIndex.Result?
        /// Whether `--resume` can continue it: a regular file named with `-o`.
        var resumable = false
    }

    /// Opens `path` (`nil` = standard output).
    /// - The input file itself is refused (exit 64), whatever the name or link it is reached by: truncating or
    ///   appending to it would destroy the list being read.
    /// - An existing regular file is refused (exit 73) unless `resume` (append to it) or `force` (truncate it).
    /// - Other targets (`/dev/null`, a pipe) are opened as they are.
    /// - A regular file is locked (`flock`) for the run; one another trawl holds is refused (exit 73).
    /// - Parameter advice: What the exit-73 message tells the user to do about an existing file.
    static func open(
        path: String?, resume: Bool, force: Bool, input: FileIdentity?,
        advice: String = "use --resume to continue it or --force to overwrite it"
    ) throws(ExitError) -> Opened {
        guard let path else {
            guard !StandardStreams.outputWasClosed else {
                throw ExitError(code: .cannotCreate, message: "standard output is closed: give -o FILE for the records")
            }
            if let input, FileIdentity(fd: STDOUT_FILENO) == input {
                throw ExitError(code: .usage, message: "Standard output is the input file; give -o another file")
            }
            return Opened(fd: STDOUT_FILENO, name: "stdout", resumed: nil)
        }
        var info = stat()
        let exists = stat(path, &info) == 0
        let isRegular = exists && (info.st_mode & S_IFMT) == S_IFREG
        if isRegular, let input, FileIdentity(info) == input {
            throw ExitError(
                code: .usage, message: "The output '\(path)' is the input file; writing to it would destroy the list")
        }
        if isRegular && !resume && !force {
            throw ExitError(
                code: .cannotCreate,
                message: "the output '\(path)' already exists; \(advice)")
        }
        var flags = O_CREAT | O_APPEND | O_CLOEXEC
        flags |= (resume && isRegular) ? O_RDWR : O_WRONLY
        let fd = Foundation.open(path, flags, 0o644)
        guard fd >= 0 else {
            throw ExitError(
                code: .cannotCreate, message: "cannot open the output '\(path)': \(String(cString: strerror(errno)))")
        }
        // Two runs appending to one file would each fetch and record what the other has not recorded yet. The lock
        // goes with the process, so a crash leaves nothing to clean up; it is taken before --force truncates or
        // --resume cuts a torn line, either of which would damage the other run's records.
        let regular = FileIdentity(fd: fd) != nil
        if regular, flock(fd, LOCK_EX | LOCK_NB) != 0, errno == EWOULDBLOCK {
            close(fd)
            throw ExitError(
                code: .cannotCreate,
                message: "the output '\(path)' is being written by another trawl; wait for it to end, or stop it")
        }
        if force && isRegular && ftruncate(fd, 0) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ExitError(code: .cannotCreate, message: "cannot overwrite the output '\(path)': \(reason)")
        }
        var resumed: ResumeIndex.Result?
        if resume && isRegular {
            do {
                resumed = try ResumeIndex.load(fd: fd)
            } catch {
                throw ExitError(code: .cannotCreate, message: "cannot resume '\(path)': \(error)")
            }
        }
        return Opened(fd: fd, name: path, resumed: resumed, resumable: regular)
    }
}
