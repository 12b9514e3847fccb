import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A ``Transport`` over Foundation's `URLSession`, built around its measured traps on Linux:
/// - its timeouts are idle timers truncated to whole seconds, so trawl arms its own whole-exchange deadline;
/// - it forwards credentials on redirects, so it never follows one (the session delegate declines them);
/// - it buffers whole bodies, so bodies arrive through the data delegate and are counted, decoded, as they
///   arrive, and the transfer is cancelled at the cap;
/// - tearing sessions down has crashed, so one session lives for the whole run;
/// - it cannot add a CA or turn certificate verification off on Linux, and takes its proxy only from the
///   environment, as libcurl reads it (lower-case `http_proxy`; upper-case `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`
///   too, but never upper-case `HTTP_PROXY`), so `--cacert`, `--insecure` and `--proxy` need
///   ``CurlMultiTransport``;
/// - TLS failures arrive as code -1 with libcurl's text, and are classified from that text.
public final class URLSessionTransport: Transport {
    private let session: URLSession
    private let delegate: SessionDelegate

    /// Creates the transport.
    /// - Parameter maxConnectionsPerHost: at or above trawl's own per-host cap, so nothing queues inside
    ///   libcurl with its timer running.
    public init(maxConnectionsPerHost: Int = 64) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnectionsPerHost)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        let delegate = SessionDelegate()
        self.delegate = delegate
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    public nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError)
        -> TransportResponse
    {
        var urlRequest = URLRequest(url: Self.lowercasingScheme(request.url))
        urlRequest.httpMethod = "GET"
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        // URLSession's own timer is idle-only and whole-second; keep it behind ours so ours decides.
        urlRequest.timeoutInterval = (request.timeout.seconds + 5).rounded(.up)
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        let task = session.dataTask(with: urlRequest)
        let exchange = Exchange(maxBodyBytes: request.maxBodyBytes, keepBody: request.keepBody)
        let result: Result<TransportResponse, RecordError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                exchange.continuation = continuation
                delegate.register(task.taskIdentifier, exchange)
                let deadline = DispatchWorkItem { [weak task] in
                    if exchange.stop(.timeout) { task?.cancel() }
                }
                exchange.deadline = deadline
                DispatchQueue.global().asyncAfter(
                    deadline: .now() + .nanoseconds(Int(clamping: request.timeout.nanoseconds)), execute: deadline)
                task.resume()
            }
        } onCancel: {
            if exchange.stop(.cancelled) { task.cancel() }
        }
        return try result.get()
    }

    public func shutdown() async {
        session.finishTasksAndInvalidate()
    }

    /// `url` with its scheme in lower case: FoundationNetworking compares schemes case-sensitively and fails
    /// `HTTP://` as an unsupported URL, though schemes are case-insensitive (RFC 3986 section 3.1).
    static func lowercasingScheme(_ url: URL) -> URL {
        guard let scheme = url.scheme, scheme.utf8.contains(where: { (0x41...0x5A).contains($0) }) else { return url }
        let text = url.absoluteString
        return URL(string: scheme.lowercased() + text.dropFirst(scheme.utf8.count)) ?? url
    }

    /// The ``RecordError`` for a failed data task's `error`.
    static func classify(_ error: any Error) -> RecordError {
        SessionDelegate.classify(error)
    }
}

/// The state of one data task, touched from the delegate queue, the deadline timer and the caller.
private final class Exchange: @unchecked Sendable {
    enum StopReason {
        case timeout, bodyTooLarge, cancelled
        /// The head was refused, for this reason.
        case refused(RecordError)
    }

    let maxBodyBytes: Int
    let keepBody: Bool
    // Set before the task is resumed; read on the delegate queue afterwards.
    var continuation: CheckedContinuation<Result<TransportResponse, RecordError>, Never>?
    var deadline: DispatchWorkItem?
    var response: HTTPURLResponse?
    var body: [UInt8] = []
    var received = 0
    private let stopReason = Mutex<StopReason?>(nil)

    init(maxBodyBytes: Int, keepBody: Bool) {
        self.maxBodyBytes = maxBodyBytes
        self.keepBody = keepBody
    }

    /// Records why the task is being stopped; `false` if it was already stopped.
    func stop(_ reason: StopReason) -> Bool {
        stopReason.withLock { current in
            guard current == nil else { return false }
            current = reason
            return true
        }
    }

    var reason: StopReason? { stopReason.withLock { $0 } }
}

private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let exchanges = Mutex<[Int: Exchange]>([:])

    func register(_ id: Int, _ exchange: Exchange) {
        exchanges.withLock { $0[id] = exchange }
    }

    private func exchange(_ id: Int) -> Exchange? {
        exchanges.withLock { $0[id] }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        // trawl follows redirects itself, so it can strip credentials and count hops.
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let exchange = exchange(dataTask.taskIdentifier)
        let response = response as? HTTPURLResponse
        // FoundationNetworking joins repeated fields with ", ", so disagreeing lengths show here as a list.
        if let exchange, let length = response?.value(forHTTPHeaderField: "Content-Length"),
            ContentLength.parse(length.utf8) == nil,
            exchange.stop(.refused(ContentLength.error("'\(length.prefix(40))'")))
        {
            completionHandler(.cancel)
            return
        }
        exchange?.response = response
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(dataTask.taskIdentifier) else { return }
        exchange.received += data.count
        if exchange.received > exchange.maxBodyBytes {
            if exchange.stop(.bodyTooLarge) { dataTask.cancel() }
            return
        }
        if exchange.keepBody { exchange.body.append(contentsOf: data) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = exchanges.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        exchange.deadline?.cancel()
        var result: Result<TransportResponse, RecordError>
        if let reason = exchange.reason {
            switch reason {
            case .timeout: result = .failure(RecordError(.timeout, "no complete answer within the timeout"))
            case .bodyTooLarge:
                result = .failure(RecordError(.bodyTooLarge, "the body grew past \(exchange.maxBodyBytes) bytes"))
            case .cancelled: result = .failure(RecordError(.network, "cancelled"))
            case .refused(let error): result = .failure(error)
            }
        } else if let error {
            result = .failure(Self.classify(error))
        } else if let response = exchange.response ?? task.response as? HTTPURLResponse {
            // A 3xx without a usable Location reaches no delegate method before completing: the task still has it.
            var headers = HTTPHeaders()
            for (name, value) in response.allHeaderFields {
                headers.add(name: "\(name)", value: "\(value)")
            }
            result = .success(
                TransportResponse(
                    status: response.statusCode, headers: headers, body: exchange.body, bodyBytes: exchange.received))
        } else {
            result = .failure(RecordError(.network, "no HTTP response"))
        }
        // The body failed after the response arrived: the record keeps that answer's status.
        if case .failure(var failure) = result, let response = exchange.response {
            failure.status = response.statusCode
            result = .failure(failure)
        }
        exchange.continuation?.resume(returning: result)
        exchange.continuation = nil
    }

    /// Maps URLSession's errors to trawl's kinds; TLS failures on Linux come as code -1 with curl's text.
    static func classify(_ error: any Error) -> RecordError {
        let nsError = error as NSError
        let text = nsError.localizedDescription
        guard nsError.domain == NSURLErrorDomain else { return RecordError(.network, text) }
        switch nsError.code {
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
            return RecordError(.dns, "could not resolve the host: \(text)")
        case NSURLErrorCannotConnectToHost, NSURLErrorNotConnectedToInternet:
            return RecordError(.connect, "could not connect: \(text)")
        case NSURLErrorTimedOut:
            return RecordError(.timeout, "timed out: \(text)")
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateHasBadDate,
            NSURLErrorServerCertificateUntrusted, NSURLErrorServerCertificateHasUnknownRoot,
            NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected,
            NSURLErrorClientCertificateRequired:
            return RecordError(.tls, TLSFailureText.describe(text))
        default:
            // Linux: code -1 ("unknown") with libcurl's text, e.g. "SSL certificate problem: ...".
            if text.localizedCaseInsensitiveContains("ssl") || text.localizedCaseInsensitiveContains("certificate") {
                return RecordError(.tls, TLSFailureText.describe(text))
            }
            return RecordError(.network, text)
        }
    }
}
