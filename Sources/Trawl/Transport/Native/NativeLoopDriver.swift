#if os(Linux)
    import CTrawlCurl
    import Glibc

    /// The native loop thread's own state: connections by descriptor, idle ones by endpoint, resolved addresses.
    /// Never leaves that thread.
    final class NativeLoopDriver {
        private let loop: NativeEventLoop
        private let mailbox: EventLoopMailbox
        private let epollFD: Int32
        /// Every open connection, indexed by its descriptor.
        private var connections: [NativeConnection?] = []
        /// Connections carrying an exchange (for deadlines and cancellation).
        private var busy: [NativeConnection] = []
        /// Kept-alive connections by endpoint, the most recently used last.
        private var idle: [NativeEndpoint: [NativeConnection]] = [:]
        private var idleCount = 0
        /// How many connections were opened: each one's serial number.
        private var opened: UInt64 = 0
        /// Addresses of resolved names, with the `CLOCK_MONOTONIC` time they expire (numeric hosts never do).
        private var addresses: [NativeEndpoint: (list: [SocketAddress], expires: UInt64)] = [:]
        /// Exchanges waiting for their host's name to resolve.
        private var resolving: [NativeEndpoint: [NativeExchange]] = [:]
        private var answers: [HostResolver.Answer] = []
        /// The earliest deadline of a busy connection or resolving exchange, perhaps already gone.
        private var earliestDeadline = UInt64.max
        private let readBuffer: UnsafeMutableRawBufferPointer
        private var events: [epoll_event]
        /// The request fields last encoded, and their bytes (requests of one crawl send the same fields).
        private var encodedFields: (headers: HTTPHeaders, bytes: [UInt8])?

        /// How long a name's addresses are used, as libcurl's DNS cache does.
        private static let addressLifetime: UInt64 = 60_000_000_000
        private static let readSize = 64 << 10

        init(loop: NativeEventLoop) {
            self.loop = loop
            mailbox = loop.mailbox
            epollFD = loop.epollFD
            readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
            events = Array(repeating: epoll_event(), count: 256)
        }

        deinit {
            readBuffer.deallocate()
        }

        func run() {
            var submissions: [EventLoopMailbox.Submission] = []
            var cancellations: [UInt64] = []
            var jobs: [UnownedJob] = []
            let executor = loop.executor.asUnownedTaskExecutor()
            while mailbox.collect(&submissions, &cancellations, &jobs) {
                // Swift work first: the tasks resumed last turn hand over their next requests right here.
                mailbox.runJobs(&jobs, on: executor)
                let keepRunning = mailbox.collectSubmissions(&submissions, &cancellations)
                loop.resolver.collect(&answers)
                for answer in answers { resolved(answer) }
                answers.removeAll(keepingCapacity: true)
                // Requests before cancellations: a cancellation collected with its request (the task was cancelled
                // after the loop took the request, before it started it) must find it started.
                for submission in submissions { start(submission) }
                submissions.removeAll(keepingCapacity: true)
                for id in cancellations { cancel(id) }
                cancellations.removeAll(keepingCapacity: true)
                if !keepRunning { break }
                let timeout = mailbox.prepareToSleep() ? waitMilliseconds() : 0
                let count = events.withUnsafeMutableBufferPointer {
                    epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
                }
                for index in 0..<max(0, Int(count)) { handle(events[index]) }
                if earliestDeadline <= Self.now() { expire() }
            }
            for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
            tearDown()
        }

        static func now() -> UInt64 {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        }

        private func waitMilliseconds() -> Int32 {
            guard earliestDeadline != .max else { return 1000 }
            let now = Self.now()
            guard earliestDeadline > now else { return 0 }
            return Int32(min(1000, (earliestDeadline - now + 999_999) / 1_000_000))
        }

        // MARK: Starting

        private func start(_ submission: EventLoopMailbox.Submission) {
            guard let target = submission.target else {
                submission.continuation.resume(
                    returning: .failure(RecordError(.invalidURL, "the native transport takes plain http:// URLs")))
                return
            }
            let exchange = NativeExchange(
                id: submission.id, request: submission.request, continuation: submission.continuation,
                target: target, deadline: Self.deadline(after: submission.request.timeout),
                head: requestHead(submission.request, target))
            earliestDeadline = min(earliestDeadline, exchange.deadline)
            let endpoint = NativeEndpoint(host: target.host, port: target.port)
            if let known = addresses[endpoint], known.expires > Self.now() {
                send(exchange, to: endpoint, known.list)
            } else if let numeric = SocketAddress(numericHost: target.host, port: target.port) {
                addresses[endpoint] = ([numeric], .max)
                send(exchange, to: endpoint, [numeric])
            } else {
                if resolving[endpoint] == nil { loop.resolver.lookUp(endpoint) }
                resolving[endpoint, default: []].append(exchange)
            }
        }

        private static func deadline(after timeout: Duration) -> UInt64 {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
            return now() &+ UInt64(clamping: max(1, nanoseconds))
        }

        private func resolved(_ answer: HostResolver.Answer) {
            guard let waiting = resolving.removeValue(forKey: answer.endpoint) else { return }
            switch answer.result {
            case .success(let list):
                addresses[answer.endpoint] = (list, Self.now() &+ Self.addressLifetime)
                for exchange in waiting { send(exchange, to: answer.endpoint, list) }
            case .failure(let error):
                for exchange in waiting { exchange.continuation.resume(returning: .failure(error)) }
            }
        }

        /// Sends `exchange` on an idle connection to `endpoint`, or on a new one.
        private func send(_ exchange: NativeExchange, to endpoint: NativeEndpoint, _ list: [SocketAddress]) {
            if !exchange.movedOnce, let connection = idle[endpoint]?.popLast() {
                idleCount -= 1
                markBusy(connection)
                connection.begin(exchange)
                write(connection)
                return
            }
            open(exchange, to: endpoint, list[...])
        }

        /// Connects to the first address of `list` that takes a socket, and sends `exchange` once connected.
        private func open(_ exchange: NativeExchange, to endpoint: NativeEndpoint, _ list: ArraySlice<SocketAddress>) {
            // Open connections stay within the limit, as libcurl's do: a list of many hosts must not spend the
            // descriptors new connections need on idle ones to hosts done with.
            if busy.count + idleCount >= loop.maxConnections, let (oldest, _) = idle.first,
                let victim = idle[oldest]?.first
            {
                discard(victim)
            }
            var remaining = list
            var lastError: Int32 = 0
            while let address = remaining.popFirst() {
                let fd = socket(
                    address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else {
                    lastError = errno
                    continue
                }
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
                if result != 0 && errno != EINPROGRESS {
                    lastError = errno
                    close(fd)
                    continue
                }
                opened &+= 1
                let connection = NativeConnection(
                    fd: fd, serial: opened, endpoint: endpoint, connecting: result != 0, address: address,
                    addresses: remaining)
                guard register(connection) else {
                    lastError = errno
                    close(fd)
                    continue
                }
                markBusy(connection)
                connection.begin(exchange)
                if result == 0 {
                    preferAddress(of: connection)
                    write(connection)
                } else if !remaining.isEmpty {
                    let now = Self.now()
                    connection.connectDeadline = now + (exchange.deadline > now ? (exchange.deadline - now) / 2 : 0)
                    earliestDeadline = min(earliestDeadline, connection.connectDeadline)
                }
                return
            }
            exchange.continuation.resume(returning: .failure(connectError(endpoint, lastError)))
        }

        /// Puts the address a connection just reached first in its endpoint's list, so the endpoint's next
        /// connections try it first: an address that never answers (a blackholed IPv6 route) or refuses then
        /// costs its wait only the first connection, not each one.
        private func preferAddress(of connection: NativeConnection) {
            guard var known = addresses[connection.endpoint], known.list.first != connection.address,
                let index = known.list.firstIndex(of: connection.address)
            else { return }
            known.list.remove(at: index)
            known.list.insert(connection.address, at: 0)
            addresses[connection.endpoint] = known
        }

        private func connectError(_ endpoint: NativeEndpoint, _ number: Int32) -> RecordError {
            RecordError(
                .connect,
                "could not connect to \(endpoint.host) port \(endpoint.port): \(NativeEventLoop.reason(number))")
        }

        private func register(_ connection: NativeConnection) -> Bool {
            var event = epoll_event()
            event.events = connection.watchesWrites ? EPOLLOUT.rawValue : EPOLLIN.rawValue
            event.data.u64 = connection.token
            guard epoll_ctl(epollFD, EPOLL_CTL_ADD, connection.fd, &event) == 0 else { return false }
            let index = Int(connection.fd)
            if index >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: index + 1 - connections.count))
            }
            connections[index] = connection
            return true
        }

        /// Makes epoll report `connection` writable too, or no longer.
        private func watchWrites(_ connection: NativeConnection, _ watch: Bool) {
            guard connection.watchesWrites != watch else { return }
            connection.watchesWrites = watch
            var event = epoll_event()
            event.events = watch ? (EPOLLIN.rawValue | EPOLLOUT.rawValue) : EPOLLIN.rawValue
            event.data.u64 = connection.token
            _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event)
        }

        // MARK: Events

        private func handle(_ event: epoll_event) {
            let token = event.data.u64
            if token == NativeEventLoop.wakeToken {
                var value: UInt64 = 0
                _ = read(loop.wakeFD, &value, 8)
                return
            }
            let index = Int(token & 0xFFFF_FFFF)
            guard index < connections.count, let connection = connections[index], connection.token == token else {
                return  // the descriptor's earlier connection, closed since this batch of events came
            }
            let flags = event.events
            switch connection.state {
            case .connecting:
                connected(connection)
            case .exchanging:
                if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                    receive(connection)
                } else if flags & EPOLLOUT.rawValue != 0 {
                    write(connection)
                }
            case .idle:
                // A kept-alive connection has nothing to say: the server closed it, or sent what nobody asked for.
                discard(connection)
            }
        }

        private func connected(_ connection: NativeConnection) {
            var number: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &number, &length)
            guard number == 0 else { return connectNext(connection, failing: number) }
            connection.state = .exchanging
            preferAddress(of: connection)
            write(connection)
        }

        /// Closes a connection whose connect failed (or was too slow) and tries its exchange on the next address,
        /// on a socket of its own; with none left, fails the exchange with `number`.
        private func connectNext(_ connection: NativeConnection, failing number: Int32) {
            guard let exchange = connection.end() else { return }
            let remaining = connection.addresses
            discard(connection)
            if remaining.isEmpty {
                exchange.continuation.resume(returning: .failure(connectError(connection.endpoint, number)))
            } else {
                open(exchange, to: connection.endpoint, remaining)
            }
        }

        private func write(_ connection: NativeConnection) {
            guard let exchange = connection.exchange else { return }
            while exchange.sent < exchange.head.count {
                let count = exchange.head.withUnsafeBytes { bytes in
                    Glibc.send(
                        connection.fd, bytes.baseAddress! + exchange.sent, bytes.count - exchange.sent,
                        Int32(MSG_NOSIGNAL))
                }
                if count > 0 {
                    exchange.sent += count
                    continue
                }
                if count < 0 && (errno == EAGAIN || errno == EINTR) {
                    if errno == EINTR { continue }
                    watchWrites(connection, true)
                    return
                }
                // A send of something that sends nothing has no errno of its own.
                closed(connection, errno: count < 0 ? errno : EPIPE)
                return
            }
            watchWrites(connection, false)
        }

        private func receive(_ connection: NativeConnection) {
            let count = read(connection.fd, readBuffer.baseAddress, Self.readSize)
            if count > 0 {
                parse(connection, UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            } else if count == 0 {
                closed(connection, errno: 0)
            } else if errno != EAGAIN && errno != EINTR {
                closed(connection, errno: errno)
            }
        }

        private func parse(_ connection: NativeConnection, _ bytes: UnsafeRawBufferPointer) {
            let body = connection.body
            let step = connection.parser.parse(bytes) { raw, declared, status in
                switch body.receive(raw, declared: declared, status: status) {
                case .more: return true
                case .failed: return false
                case .answerStands:
                    connection.answerStands = true
                    return false
                }
            }
            switch step {
            case .needMore:
                break
            case .complete(let consumed):
                answered(connection, keepAlive: consumed == bytes.count && connection.parser.keepsConnection)
            case .stopped:
                if connection.answerStands {
                    answered(connection, keepAlive: false)
                } else {
                    fail(connection, body.stopError ?? RecordError(.network, "the body was refused"))
                }
            case .failed(let message):
                fail(connection, RecordError(.network, message))
            }
        }

        /// The connection ended (EOF when `errno` is 0) or failed while sending or reading.
        private func closed(_ connection: NativeConnection, errno number: Int32) {
            // A kept-alive connection the server closed before answering: the request never reached it, so it is
            // sent again on a new connection, once.
            if connection.served > 0, !connection.parser.receivedAnything, let exchange = connection.exchange,
                !exchange.movedOnce
            {
                _ = connection.end()
                discard(connection)
                exchange.movedOnce = true
                exchange.sent = 0
                let endpoint = connection.endpoint
                send(exchange, to: endpoint, addresses[endpoint]?.list ?? [])
                return
            }
            if number == 0 {
                switch connection.parser.finish() {
                case .complete: answered(connection, keepAlive: false)
                case .failed(let message): fail(connection, RecordError(.network, message))
                case .needMore, .stopped: fail(connection, RecordError(.network, "the connection closed"))
                }
                return
            }
            let reason = NativeEventLoop.reason(number)
            let message =
                number == ECONNRESET
                ? "the server reset the connection (\(reason))" : "the connection failed: \(reason)"
            fail(connection, RecordError(.network, message))
        }

        /// A whole answer: resumes its caller, and keeps the connection for the endpoint's next request or closes it.
        private func answered(_ connection: NativeConnection, keepAlive: Bool) {
            let status = connection.parser.status
            let result: Result<TransportResponse, RecordError>
            if let cutShort = connection.body.cutShort(status: status) {
                result = .failure(cutShort)
            } else {
                let headers = HTTPHeaders(lines: connection.parser.headerLines)
                result = .success(connection.body.response(status: status, headers: headers))
            }
            let keep = keepAlive && !connection.answerStands && result.isSuccess && idleCount < loop.maxConnections
            guard let exchange = connection.end() else { return }
            connection.served += 1
            if keep {
                markIdle(connection)
            } else {
                discard(connection)
            }
            exchange.continuation.resume(returning: result)
        }

        /// Fails the connection's exchange with `error` (naming the status when a whole header block came) and
        /// closes it.
        private func fail(_ connection: NativeConnection, _ error: RecordError) {
            var error = error
            if connection.parser.headersComplete, error.status == nil { error.status = connection.parser.status }
            let exchange = connection.end()
            discard(connection)
            exchange?.continuation.resume(returning: .failure(error))
        }

        // MARK: Bookkeeping

        private func markBusy(_ connection: NativeConnection) {
            connection.busyIndex = busy.count
            busy.append(connection)
        }

        private func unmarkBusy(_ connection: NativeConnection) {
            let index = connection.busyIndex
            guard index >= 0 else { return }
            let last = busy.removeLast()
            if index < busy.count {
                busy[index] = last
                last.busyIndex = index
            }
            connection.busyIndex = -1
        }

        private func markIdle(_ connection: NativeConnection) {
            unmarkBusy(connection)
            connection.state = .idle
            idle[connection.endpoint, default: []].append(connection)
            idleCount += 1
        }

        /// Closes the connection and forgets it.
        private func discard(_ connection: NativeConnection) {
            if connection.state == .idle, var list = idle[connection.endpoint],
                let index = list.firstIndex(where: { $0 === connection })
            {
                list.remove(at: index)
                idle[connection.endpoint] = list.isEmpty ? nil : list
                idleCount -= 1
            }
            unmarkBusy(connection)
            connections[Int(connection.fd)] = nil
            close(connection.fd)
            connection.body.close()
        }

        /// Fails every exchange past its deadline.
        private func expire() {
            let now = Self.now()
            var earliest = UInt64.max
            var index = 0
            while index < busy.count {
                let connection = busy[index]
                if let exchange = connection.exchange, exchange.deadline <= now {
                    fail(connection, timedOut(connection, after: exchange.request.timeout))
                    continue  // the last connection moved into `index`
                }
                if connection.state == .connecting, connection.connectDeadline <= now {
                    // The address is slow to answer (its SYN dropped): the next one gets its turn.
                    connectNext(connection, failing: ETIMEDOUT)
                    continue  // the last connection moved into `index`
                }
                if let exchange = connection.exchange { earliest = min(earliest, exchange.deadline) }
                if connection.state == .connecting { earliest = min(earliest, connection.connectDeadline) }
                index += 1
            }
            for (endpoint, waiting) in resolving {
                var kept: [NativeExchange] = []
                for exchange in waiting {
                    if exchange.deadline <= now {
                        exchange.continuation.resume(
                            returning: .failure(
                                RecordError(
                                    .timeout, "resolving \(endpoint.host) took longer than the request's timeout")))
                    } else {
                        kept.append(exchange)
                        earliest = min(earliest, exchange.deadline)
                    }
                }
                // The lookup still runs; its answer finds no one waiting when nobody is.
                resolving[endpoint] = kept
            }
            earliestDeadline = earliest
        }

        /// The timeout of an exchange whose deadline passed, naming the connect when that is where it stood.
        private func timedOut(_ connection: NativeConnection, after timeout: Duration) -> RecordError {
            let milliseconds = Int(timeout / .milliseconds(1))
            guard connection.state == .connecting else {
                return RecordError(.timeout, "the request timed out after \(milliseconds) ms")
            }
            let endpoint = connection.endpoint
            return RecordError(
                .timeout,
                "connection timed out after \(milliseconds) ms: \(endpoint.host) port \(endpoint.port) did not answer")
        }

        private func cancel(_ id: UInt64) {
            if let connection = busy.first(where: { $0.exchange?.id == id }) {
                fail(connection, EventLoopMailbox.cancelledError)
                return
            }
            for (endpoint, waiting) in resolving {
                if let index = waiting.firstIndex(where: { $0.id == id }) {
                    resolving[endpoint]?.remove(at: index)
                    waiting[index].continuation.resume(returning: .failure(EventLoopMailbox.cancelledError))
                    return
                }
            }
        }

        private func tearDown() {
            let waiters = mailbox.markStopped()
            for connection in connections.compactMap({ $0 }) {
                let exchange = connection.end()
                discard(connection)
                exchange?.continuation.resume(returning: .failure(EventLoopMailbox.shutDownError))
            }
            for waiting in resolving.values {
                for exchange in waiting {
                    exchange.continuation.resume(returning: .failure(EventLoopMailbox.shutDownError))
                }
            }
            resolving = [:]
            for waiter in waiters { waiter.resume() }
        }

        // MARK: The request

        /// `GET target HTTP/1.1`, `Host`, the request's fields, and `Accept` and `Accept-Encoding` unless they name
        /// them. Fields with CR or LF are dropped: they would split the request.
        private func requestHead(_ request: TransportRequest, _ target: NativeTarget) -> [UInt8] {
            if encodedFields?.headers != request.headers {
                encodedFields = (request.headers, Self.encode(request.headers))
            }
            // One allocation, filled by copies: appending each piece costs several times as much.
            var path = target.path
            var host = target.hostField
            let get: StaticString = "GET "
            let version: StaticString = " HTTP/1.1\r\nHost: "
            return path.withUTF8 { path in
                host.withUTF8 { host in
                    encodedFields!.bytes.withUnsafeBufferPointer { fields in
                        let count =
                            get.utf8CodeUnitCount + path.count + version.utf8CodeUnitCount + host.count + fields.count
                        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                            var at = buffer.baseAddress!
                            func put(_ start: UnsafePointer<UInt8>?, _ length: Int) {
                                guard let start, length > 0 else { return }
                                at.initialize(from: start, count: length)
                                at += length
                            }
                            put(get.utf8Start, get.utf8CodeUnitCount)
                            put(path.baseAddress, path.count)
                            put(version.utf8Start, version.utf8CodeUnitCount)
                            put(host.baseAddress, host.count)
                            put(fields.baseAddress, fields.count)
                            initialized = count
                        }
                    }
                }
            }
        }

        /// The head's end after the `Host` value: its line end, the request's fields, and the blank line.
        private static func encode(_ headers: HTTPHeaders) -> [UInt8] {
            var bytes = Array("\r\n".utf8)
            var namesAccept = false
            var namesAcceptEncoding = false
            for field in headers {
                guard !field.name.isEmpty,
                    !field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 }),
                    !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 }),
                    !field.name.caseInsensitiveEquals("host")
                else { continue }
                if field.name.caseInsensitiveEquals("accept") { namesAccept = true }
                if field.name.caseInsensitiveEquals("accept-encoding") { namesAcceptEncoding = true }
                bytes.append(contentsOf: "\(field.name): \(field.value)\r\n".utf8)
            }
            if !namesAccept { bytes.append(contentsOf: "Accept: */*\r\n".utf8) }
            if !namesAcceptEncoding {
                bytes.append(contentsOf: "Accept-Encoding: \(ContentDecoder.acceptEncoding)\r\n".utf8)
            }
            bytes.append(contentsOf: "\r\n".utf8)
            return bytes
        }
    }

    extension Result {
        fileprivate var isSuccess: Bool {
            if case .success = self { return true }
            return false
        }
    }
#endif
