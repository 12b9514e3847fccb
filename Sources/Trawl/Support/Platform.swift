#if canImport(Glibc)
    @_exported import Glibc
#elseif canImport(Musl)
    @_exported import Musl
#elseif canImport(Darwin)
    @_exported import Darwin
#endif

/// Namespaced libc calls whose names clash with Swift methods.
enum Platform {
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
            Darwin.write(fd, buffer, count)
        #elseif canImport(Musl)
            Musl.write(fd, buffer, count)
        #else
            Glibc.write(fd, buffer, count)
        #endif
    }

    /// Writes all `count` bytes at `buffer` to `fd`, retrying after interrupts and short writes. A descriptor
    /// left non-blocking (`O_NONBLOCK`, as a Node.js or asyncio parent may hand down a pipe or terminal) that
    /// is full is waited on until it takes more, as a blocking one would block: EAGAIN there is back-pressure,
    /// not a failure. On a blocking descriptor EAGAIN means a send timeout set on it expired, and is a failure.
    /// - Returns: 0, or the `errno` of the write that failed.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int32 {
        var offset = 0
        var polled = false
        while offset < count {
            let written = write(fd, buffer + offset, count - offset)
            if written >= 0 {
                offset += written
                polled = false
                continue
            }
            let error = errno
            if error == EINTR { continue }
            guard error == EAGAIN || error == EWOULDBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK != 0 else { return error }
            // Said writable, yet no room for this write (a terminal that turns `\n` into two bytes has one
            // free): wait a little rather than spin on poll.
            if polled { usleep(2000) }
            // A closed reader or an error wakes the poll too; the next write reports it.
            var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&waiting, 1, -1) < 0 && errno != EINTR { return errno }
            polled = true
        }
        return 0
    }
}
