/// The listening half of the site: binds the hosts, runs one accept thread per host and one thread per connection.
final class SiteServer: Sendable {
    let hosts: [String]
    let port: UInt16
    let statistics = Statistics()
    let lifecycle: Lifecycle

    init(hosts: [String], port requestedPort: UInt16) throws(TestSiteError) {
        guard !hosts.isEmpty else { throw TestSiteError(.invalidHost, "no hosts to listen on") }
        let lifecycle = try Lifecycle()
        let (port, listeners) = try Self.bindAllRetrying(hosts: hosts, port: requestedPort)
        self.hosts = hosts
        self.port = port
        self.lifecycle = lifecycle
        for (host, listener) in zip(hosts, listeners) {
            lifecycle.spawn(name: "TestSite accept \(host)") { [self] in
                acceptLoop(listener: listener, host: host)
            }
        }
    }

    /// `bindAll`, retried with fresh ports when the port picked for the first host is taken on another.
    private static func bindAllRetrying(hosts: [String], port: UInt16) throws(TestSiteError) -> (UInt16, [Int32]) {
        var attempt = 1
        while true {
            do throws(TestSiteError) {
                return try bindAll(hosts: hosts, port: port)
            } catch  where error.code == .addressInUse && port == 0 && attempt < 8 {
                attempt += 1
            }
        }
    }

    /// Binds the first host (to a fresh port when `port` is 0), then the others to the same port.
    private static func bindAll(hosts: [String], port: UInt16) throws(TestSiteError) -> (UInt16, [Int32]) {
        var listeners: [Int32] = []
        do throws(TestSiteError) {
            let first = try Socket.listen(host: hosts[0], port: port)
            listeners.append(first)
            guard let chosen = Socket.localPort(first) else {
                throw TestSiteError(.socket, "getsockname() failed: \(Socket.errnoText())")
            }
            for host in hosts.dropFirst() {
                listeners.append(try Socket.listen(host: host, port: chosen))
            }
            return (chosen, listeners)
        } catch {
            for listener in listeners { Socket.close(listener) }
            throw error
        }
    }

    func shutdown() {
        _ = lifecycle.stop()
        _ = lifecycle.waitForThreads(timeout: .seconds(5))
    }

    private func acceptLoop(listener: Int32, host: String) {
        defer { Socket.close(listener) }
        while !lifecycle.isStopped {
            _ = Socket.waitReadable([listener, lifecycle.wakeReadEnd])
            while !lifecycle.isStopped, let fd = Socket.accept(listener) {
                guard lifecycle.register(fd) else {
                    Socket.close(fd)
                    return
                }
                let id = statistics.nextConnectionID()
                lifecycle.spawn(name: "TestSite connection \(id)") { [self] in
                    Connection(fd: fd, host: host, id: id, server: self).run()
                }
            }
        }
    }
}
