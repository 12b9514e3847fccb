#if os(Linux)
    import Synchronization

    /// A ``Transport`` that speaks HTTP/1.1 itself over non-blocking sockets for plain `http://` URLs, and hands
    /// every other request (`https`, a proxy, credentials in the URL) to a fallback transport, libcurl's.
    ///
    /// It exists for speed: libcurl spends about 75,000 instructions and six system calls on each request, which
    /// caps a crawl of a fast server close by well below what the server can give; this transport spends a
    /// fraction of that. It keeps the ``Transport`` contract as the libcurl transport does: a whole-exchange
    /// deadline, redirects returned as they are, bodies decoded by ``ContentDecoder`` and capped as they arrive,
    /// kept-alive connections per host (a request whose kept-alive connection the server had closed is sent
    /// again once on a new one, as libcurl does), names resolved off the loop thread and kept for 60 seconds.
    ///
    /// Linux only (epoll); elsewhere use ``CurlMultiTransport``.
    public final class NativeHTTPTransport: Transport {
        private let loops: [NativeEventLoop]
        let fallback: any Transport
        private let proxy: ProxySettings
        private let turn = Atomic<Int>(0)

        /// Starts the event-loop threads; `fallback` carries what plain HTTP/1.1 does not.
        /// - Parameters:
        ///   - configuration: the connection limits (``CurlMultiTransport/Configuration/maxTotalConnections``
        ///     bounds the connections open, idle ones included), the number of event loops and the proxies (a proxied request
        ///     goes to `fallback`).
        /// - Throws: ``NativeTransportError`` when epoll or eventfd fails.
        public convenience init(configuration: CurlMultiTransport.Configuration, fallback: any Transport)
            throws(NativeTransportError)
        {
            try self.init(configuration: configuration, fallback: fallback, lookUp: HostResolver.system)
        }

        /// Resolves names with `lookUp` rather than `getaddrinfo` (tests give names addresses of their own).
        init(
            configuration: CurlMultiTransport.Configuration, fallback: any Transport,
            lookUp: @escaping HostResolver.Lookup
        ) throws(NativeTransportError) {
            var loops: [NativeEventLoop] = []
            do throws(NativeTransportError) {
                for _ in 0..<max(1, configuration.eventLoops) {
                    loops.append(
                        try NativeEventLoop(maxConnections: max(1, configuration.maxTotalConnections), lookUp: lookUp))
                }
            } catch {
                for loop in loops { loop.mailbox.requestStop() }
                throw error
            }
            self.loops = loops
            self.fallback = fallback
            proxy = configuration.proxy
        }

        deinit {
            for loop in loops { loop.mailbox.requestStop() }
        }

        /// The loop whose thread runs the caller, so a request and its answer stay on one thread; else the next in
        /// turn.
        private var chosenLoop: NativeEventLoop {
            if loops.count == 1 { return loops[0] }
            if let current = loops.first(where: \.mailbox.isCurrentThread) { return current }
            return loops[turn.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
        }

        /// Where `request` goes natively; nil when it goes to the fallback: not plain `http://`, or through a
        /// proxy.
        func nativeTarget(_ request: TransportRequest) -> NativeTarget? {
            guard let target = NativeTarget(request.url.absoluteString) else { return nil }
            if !proxy.isEmpty && proxy.proxy(scheme: "http", host: target.host, port: Int(target.port)) != nil {
                return nil
            }
            return target
        }

        public nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
            -> TransportResponse
        {
            guard let target = nativeTarget(request) else { return try await fallback.perform(request) }
            return try await chosenLoop.mailbox.perform(request, target: target).get()
        }

        /// The loops' threads: a crawl runs one lane of its URLs on each.
        public var taskExecutors: [any TaskExecutor] { loops.map(\.executor) }

        /// Stops the event loops, failing every outstanding request and closing every connection, then the
        /// fallback. Idempotent.
        public func shutdown() async {
            for loop in loops { await loop.mailbox.stop() }
            await fallback.shutdown()
        }
    }
#endif
