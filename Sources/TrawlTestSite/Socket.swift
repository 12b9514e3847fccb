#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the POSIX socket calls the test site needs, hiding the differences between Glibc and Darwin.
enum Socket {
    #if canImport(Darwin)
        static let streamType = SOCK_STREAM
        static let sendFlags: Int32 = 0
    #else
        static let streamType = Int32(SOCK_STREAM.rawValue)
        static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif

    /// Creates a TCP socket bound to `host:port` and listening, non-blocking so the accept loop can poll it.
    static func listen(host: String, port: UInt16) throws(TestSiteError) -> Int32 {
        var address = sockaddr_in()
        #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw TestSiteError(.invalidHost, "not an IPv4 address: \(host)")
        }
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw TestSiteError(.socket, "socket() failed: \(errnoText())") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code: TestSiteError.Code = errno == EADDRINUSE ? .addressInUse : .socket
            let text = errnoText()
            close(fd)
            throw TestSiteError(code, "bind(\(host):\(port)) failed: \(text)")
        }
        guard systemListen(fd, 1024) == 0 else {
            let text = errnoText()
            close(fd)
            throw TestSiteError(.socket, "listen(\(host):\(port)) failed: \(text)")
        }
        setNonBlocking(fd, true)
        return fd
    }

    /// The local port a bound socket ended up on.
    static func localPort(_ fd: Int32) -> UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// Accepts one pending connection, or returns nil when none is ready.
    static func accept(_ listener: Int32) -> Int32? {
        let fd = systemAccept(listener)
        guard fd >= 0 else { return nil }
        // Darwin hands the listener's O_NONBLOCK down to accepted sockets; connections use blocking I/O.
        setNonBlocking(fd, false)
        var one: Int32 = 1
        #if canImport(Darwin)
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Sends every byte, retrying short writes; false once the peer is gone or the socket was shut down.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, sendFlags)
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            if sent == 0 { return false }
            offset += sent
        }
        return true
    }

    /// Receives up to `buffer.count` bytes; nil on end of stream or error.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            return count > 0 ? count : nil
        }
    }

    /// Wakes any thread blocked on the socket; the descriptor stays open until its owner closes it.
    static func shutdownBoth(_ fd: Int32) {
        #if canImport(Darwin)
            _ = Darwin.shutdown(fd, SHUT_RDWR)
        #else
            _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
        #endif
    }

    /// Closes the socket with a TCP RST instead of the orderly FIN.
    static func closeWithReset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Closes the descriptor.
    static func close(_ fd: Int32) {
        #if canImport(Darwin)
            _ = Darwin.close(fd)
        #else
            _ = Glibc.close(fd)
        #endif
    }

    static func setNonBlocking(_ fd: Int32, _ on: Bool) {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0 else { return }
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Blocks until one of `fds` is readable; returns the indices that are.
    static func waitReadable(_ fds: [Int32]) -> [Int] {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let result = poll(&polled, nfds_t(polled.count), -1)
            if result < 0 && errno == EINTR { continue }
            if result < 0 { return Array(fds.indices) }
            return polled.indices.filter { polled[$0].revents != 0 }
        }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

#if canImport(Darwin)
    private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Darwin.listen(fd, backlog) }
    private func systemAccept(_ fd: Int32) -> Int32 { Darwin.accept(fd, nil, nil) }
#else
    private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Glibc.listen(fd, backlog) }
    private func systemAccept(_ fd: Int32) -> Int32 { Glibc.accept(fd, nil, nil) }
#endif
