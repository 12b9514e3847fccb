import Foundation

/// The standard streams the parent left closed (`trawl urls.txt >&-`), each reopened on `/dev/null` at start-up
/// so that no descriptor trawl opens later (a socket, the input, an event queue) takes its number and is read
/// as the list or written to as standard output. Reading the list from a closed standard input, or writing
/// records to a closed standard output, is then refused with a message that says so.
enum StandardStreams {
    /// Whether standard input, output and error (0, 1, 2) were closed when trawl started; computed, and the
    /// closed ones reopened, on first use, which is `main`'s first line.
    static let closedAtStart: [Bool] = (0...2).map { (fd: Int32) -> Bool in
        guard fcntl(fd, F_GETFD) == -1 && errno == EBADF else { return false }
        // The lowest free number is this one: open gives it to /dev/null.
        let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
        if null >= 0 && null != fd {
            _ = dup2(null, fd)
            close(null)
        }
        return true
    }

    /// Whether standard input was closed at start-up.
    static var inputWasClosed: Bool { closedAtStart[0] }
    /// Whether standard output was closed at start-up.
    static var outputWasClosed: Bool { closedAtStart[1] }
}
