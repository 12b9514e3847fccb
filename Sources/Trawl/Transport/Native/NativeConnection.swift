#if os(Linux)
    import Glibc

    /// One request on its way: what it asked, who waits for it, and its deadline. Lives on the loop thread.
    ///
    /// A class: an exchange goes from list to connection and is read on every event of its connection; as a
    /// struct it was copied about twenty times a request, each copy retaining the request, target and head.
    final class NativeExchange {
        let id: UInt64
        let request: TransportRequest
        let continuation: EventLoopMailbox.Continuation
        let target: NativeTarget
        /// `CLOCK_MONOTONIC` nanoseconds by which the whole exchange must end.
        let deadline: UInt64
        /// The request's bytes, and how many have been sent.
        let head: [UInt8]
        var sent = 0
        /// Whether it already failed once on a kept-alive connection that the server had closed, and moved to a
        /// new one.
        var movedOnce = false

        init(
            id: UInt64, request: TransportRequest, continuation: EventLoopMailbox.Continuation, target: NativeTarget,
            deadline: UInt64, head: [UInt8]
        ) {
            self.id = id
            self.request = request
            self.continuation = continuation
            self.target = target
            self.deadline = deadline
            self.head = head
        }
    }

    /// One TCP connection of the native transport, and the exchange it carries, if any. Lives on the loop thread.
    final class NativeConnection {
        enum State {
            /// `connect` is under way to `addresses[next - 1]`.
            case connecting
            /// Sending the request, then reading the response.
            case exchanging
            /// Kept alive for the endpoint's next request.
            case idle
        }

        let fd: Int32
        /// What epoll reports its events by: the descriptor in the low 32 bits, a number of its own above. A
        /// descriptor closed and reused within one batch of events then never gets the old connection's events.
        let token: UInt64
        let endpoint: NativeEndpoint
        var state: State
        /// The address it connects to, and those not tried yet when connecting.
        let address: SocketAddress
        var addresses: ArraySlice<SocketAddress>
        /// While connecting with addresses left to try: the `CLOCK_MONOTONIC` time this attempt gives way to the
        /// next address. As libcurl does, every attempt but the last gets half the exchange's time left.
        var connectDeadline = UInt64.max
        /// How many responses it has carried whole.
        var served = 0
        /// Whether epoll reports it writable too (while connecting, or a request did not fit the socket buffer).
        var watchesWrites: Bool
        /// Where it sits in the loop's list of busy connections, -1 when idle.
        var busyIndex = -1
        var exchange: NativeExchange?
        var parser = HTTP1ResponseParser()
        let body = ResponseBody()
        /// The body decoded so far stands as the answer though it stopped the transfer (a corrupt error page).
        var answerStands = false

        init(
            fd: Int32, serial: UInt64, endpoint: NativeEndpoint, connecting: Bool, address: SocketAddress,
            addresses: ArraySlice<SocketAddress>
        ) {
            self.address = address
            self.fd = fd
            // 31 bits of the serial: never all ones, which is the wake-up's token.
            token = (serial & 0x7FFF_FFFF) << 32 | UInt64(UInt32(bitPattern: fd))
            self.endpoint = endpoint
            state = connecting ? .connecting : .exchanging
            watchesWrites = connecting
            self.addresses = addresses
        }

        /// Prepares the parser and body for `exchange`'s response.
        func begin(_ exchange: NativeExchange) {
            self.exchange = exchange
            if state == .idle { state = .exchanging }
            parser.reset()
            body.reset()
            body.begin(maxBytes: exchange.request.maxBodyBytes, keep: exchange.request.keepBody)
            answerStands = false
        }

        /// Forgets the exchange and hands it back.
        func end() -> NativeExchange? {
            defer {
                exchange = nil
                body.reset()
            }
            return exchange
        }
    }
#endif
