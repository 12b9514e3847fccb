#if os(Linux)
    import CTrawlCurl
    import Foundation
    import Glibc

    /// One thread running every request of a ``NativeHTTPTransport`` over non-blocking sockets and epoll.
    ///
    /// Tasks hand requests over through an ``EventLoopMailbox``, which wakes the thread out of `epoll_wait` by
    /// writing to an eventfd (only when it sleeps). Per request the thread makes one `send` and, for a small page,
    /// one `read`; kept-alive connections stay registered for reading, so a server closing one is noticed at once,
    /// with no liveness check before reuse.
    ///
    /// The descriptors are closed in `deinit`, after the thread has let go of the loop, so a wake-up can never
    /// write to a closed (or reused) descriptor.
    final class NativeEventLoop: Sendable {
        let mailbox: EventLoopMailbox
        let executor: EventLoopExecutor
        let resolver: HostResolver
        /// The most connections open at once, idle ones included (idle ones are closed to make room).
        let maxConnections: Int
        let epollFD: Int32
        let wakeFD: Int32

        init(maxConnections: Int, lookUp: @escaping HostResolver.Lookup) throws(NativeTransportError) {
            let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epollFD >= 0 else { throw NativeTransportError("epoll_create1 failed: \(Self.reason(errno))") }
            let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
            guard wakeFD >= 0 else {
                let error = NativeTransportError("eventfd failed: \(Self.reason(errno))")
                close(epollFD)
                throw error
            }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = Self.wakeToken
            guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
                let error = NativeTransportError("epoll_ctl failed: \(Self.reason(errno))")
                close(epollFD)
                close(wakeFD)
                throw error
            }
            self.epollFD = epollFD
            self.wakeFD = wakeFD
            self.maxConnections = maxConnections
            let wake: @Sendable () -> Void = {
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
            mailbox = EventLoopMailbox(wake: wake)
            resolver = HostResolver(lookUp: lookUp, wake: wake)
            executor = EventLoopExecutor(mailbox: mailbox)
            let thread = Thread { [self] in
                mailbox.noteThreadStarted()
                NativeLoopDriver(loop: self).run()
            }
            thread.name = "trawl-http"
            thread.start()
        }

        deinit {
            close(epollFD)
            close(wakeFD)
        }

        /// The epoll token of the eventfd; connections use their descriptor.
        static let wakeToken = UInt64.max

        static func reason(_ number: Int32) -> String {
            String(cString: strerror(number))
        }
    }

    /// Why the native transport could not start.
    public struct NativeTransportError: Error, Sendable {
        public var message: String

        init(_ message: String) {
            self.message = message
        }
    }
#endif
