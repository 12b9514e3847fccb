#if os(Linux)
    import Dispatch
    import Glibc
    import Synchronization

    /// Resolves host names for a native event loop without blocking its thread: `getaddrinfo` runs on a Dispatch
    /// queue, and each answer is handed back through this mailbox with a wake-up of the loop.
    final class HostResolver: Sendable {
        /// One finished lookup.
        struct Answer: Sendable {
            var endpoint: NativeEndpoint
            var result: Result<[SocketAddress], RecordError>
        }

        private let answers = Mutex<[Answer]>([])
        /// Whether answers wait in ``answers``, read without the lock on every turn of the loop.
        private let waiting = Atomic<Bool>(false)
        private let wake: @Sendable () -> Void
        private let resolve: Lookup

        /// How a name becomes addresses: `getaddrinfo` (``system``), or a table of a test's.
        typealias Lookup = @Sendable (NativeEndpoint) -> Result<[SocketAddress], RecordError>

        init(lookUp resolve: @escaping Lookup = HostResolver.system, wake: @escaping @Sendable () -> Void) {
            self.resolve = resolve
            self.wake = wake
        }

        /// Starts looking `endpoint` up; its answer comes out of ``collect(_:)`` after a wake-up.
        func lookUp(_ endpoint: NativeEndpoint) {
            DispatchQueue.global().async { [self] in
                let answer = Answer(endpoint: endpoint, result: resolve(endpoint))
                answers.withLock { $0.append(answer) }
                waiting.store(true, ordering: .releasing)
                wake()
            }
        }

        /// Moves the answers that arrived into `collected`; cheap when there are none.
        func collect(_ collected: inout [Answer]) {
            guard waiting.load(ordering: .acquiring) else { return }
            answers.withLock { answers in
                waiting.store(false, ordering: .relaxed)
                swap(&collected, &answers)
            }
        }

        /// Every address of the endpoint's host, in `getaddrinfo`'s order, or why there is none.
        static let system: Lookup = { endpoint in
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let code = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
            guard code == 0 else {
                let reason = String(cString: gai_strerror(code))
                return .failure(RecordError(.dns, "could not resolve host '\(endpoint.host)': \(reason)"))
            }
            defer { freeaddrinfo(list) }
            var addresses: [SocketAddress] = []
            var entry = list
            while let current = entry {
                if let address = current.pointee.ai_addr,
                    current.pointee.ai_family == AF_INET || current.pointee.ai_family == AF_INET6
                {
                    addresses.append(SocketAddress(address, length: current.pointee.ai_addrlen))
                }
                entry = current.pointee.ai_next
            }
            guard !addresses.isEmpty else {
                return .failure(RecordError(.dns, "could not resolve host '\(endpoint.host)': no IPv4 or IPv6 address"))
            }
            return .success(addresses)
        }
    }

    /// A host and port connections go to; idle connections are kept per endpoint.
    struct NativeEndpoint: Hashable, Sendable {
        var host: String
        var port: UInt16
    }
#endif
