#if os(Linux)
    import Glibc

    /// One IPv4 or IPv6 address and port to connect to, as `connect(2)` takes it.
    struct SocketAddress: Sendable, Equatable {
        private var storage = sockaddr_storage()
        private(set) var length: socklen_t = 0

        var family: Int32 { Int32(storage.ss_family) }

        /// The address of a numeric host (`127.0.0.1`, `::1`), or nil for a name.
        init?(numericHost host: String, port: UInt16) {
            var v4 = in_addr()
            if inet_pton(AF_INET, host, &v4) == 1 {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr = v4
                self.init(copying: &address)
                return
            }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, host, &v6) == 1 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = v6
                self.init(copying: &address)
                return
            }
            return nil
        }

        /// A copy of `address`, a `sockaddr_in` or `sockaddr_in6`.
        init<Address>(copying address: inout Address) {
            length = socklen_t(MemoryLayout<Address>.size)
            withUnsafeMutableBytes(of: &storage) { destination in
                withUnsafeBytes(of: &address) { destination.copyMemory(from: $0) }
            }
        }

        /// A copy of `length` bytes of a `sockaddr` from `getaddrinfo`.
        init(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
            self.length = min(length, socklen_t(MemoryLayout<sockaddr_storage>.size))
            withUnsafeMutableBytes(of: &storage) { destination in
                destination.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(self.length)))
            }
        }

        static func == (a: SocketAddress, b: SocketAddress) -> Bool {
            a.length == b.length
                && withUnsafeBytes(of: a.storage) { x in
                    withUnsafeBytes(of: b.storage) { y in memcmp(x.baseAddress!, y.baseAddress!, Int(a.length)) == 0 }
                }
        }

        /// Calls `body` with the address as a `sockaddr` pointer and its length.
        func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
            withUnsafeBytes(of: storage) { raw in
                body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
            }
        }
    }
#endif
