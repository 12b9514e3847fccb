import struct Foundation.URL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One reusable easy handle and the state of the request it is running; lives on the event-loop thread only.
///
/// Options that never change (callbacks, signals, decoding, protocols) are set once when the handle is made;
/// each request sets only its URL, headers and timeouts. libcurl calls the write and header callbacks from
/// inside `curl_multi_perform`, on the loop thread, with a pointer to this object as their user data.
final class CurlTransfer {
    typealias Continuation = EventLoopMailbox.Continuation

    let easy: LibCurl.Handle
    private let curl: LibCurl
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// The request's identity while running, 0 when idle.
    private(set) var id: UInt64 = 0
    private(set) var continuation: Continuation?
    /// Decodes, caps and keeps the body itself, so a compressed stream cut short fails the URL (libcurl does not
    /// check that it ended).
    private let body = ResponseBody()
    /// The content coding the current header block's `Content-Encoding` fields declare.
    private var declaredCoding = ContentDecoder.Declared.identity
    /// The response's header fields, in memory of the transfer's own, reused from request to request: the
    /// header callback adds to them once per line of every response, which through a stored property would cost
    /// an exclusivity check each time.
    private let fieldLines: UnsafeMutablePointer<FieldLines>
    /// Whether the last response's header block ended with its blank line. libcurl 7.88 reports a connection
    /// that closes inside the header block as a complete, empty 200 response (as its command-line tool does).
    private var headerBlockEnded = false
    /// Whether the final response's header block (status 200 or above) has ended: from then on the header
    /// callback sees only trailer fields, and a line starting with `HTTP/` there is one of them, not a new
    /// response. (A proxy's answer to CONNECT never reaches the callback: `CURLOPT_SUPPRESS_CONNECT_HEADERS`.)
    private var finalHeadersEnded = false
    /// The length the response's `Content-Length` field stated.
    private var declaredLength: Int?
    /// Why a callback stopped the transfer, if one did: a header block that frames no certain body, a body past
    /// the cap, a corrupt compressed stream. libcurl then ends it with `CURLE_WRITE_ERROR`.
    private var stopError: RecordError?
    /// Whether an error page's or a redirect's coded body turned out corrupt, which stopped the transfer: the
    /// answer stands with its status and the body decoded so far, as when such a body is cut short.
    private var corruptAnswerStands = false
    // The request headers of the last request and their slist, reused while requests send the same fields.
    private var listedHeaders: HTTPHeaders?
    private var headerList: UnsafeMutableRawPointer?
    private let proxySettings: ProxySettings
    /// A parsed-URL handle given to the easy handle once (`CURLOPT_CURLU`); each request sets its URL on it.
    /// libcurl then skips parsing a URL string and printing it back whole, on every request (6,500 of its
    /// ~88,000 instructions per request here). nil where the library lacks the URL API or the option.
    private var parsedURL: LibCurl.Handle?

    /// Whether requests reach libcurl as a parsed URL (`CURLOPT_CURLU`) rather than a string.
    var passesParsedURLs: Bool { parsedURL != nil }
    /// The `CURLOPT_PROXY` value set now ("" for none), so it is set again only when it changes.
    private var currentProxy = ""

    /// Makes an easy handle and sets its fixed options.
    /// - Throws: a message naming the option libcurl refused.
    init(curl: LibCurl, configuration: CurlMultiTransport.Configuration = .init()) throws(CurlTransportError) {
        guard let easy = curl.easyInit() else { throw CurlTransportError("\(curl.name): curl_easy_init failed") }
        self.curl = curl
        self.easy = easy
        proxySettings = configuration.proxy
        errorBuffer = .allocate(capacity: CurlCode.errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: CurlCode.errorBufferSize)
        fieldLines = .allocate(capacity: 1)
        fieldLines.initialize(to: FieldLines())
        do throws(CurlTransportError) {
            try configure()
            try configure(configuration)
        } catch {
            close()
            throw error
        }
    }

    private func configure() throws(CurlTransportError) {
        let me = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        try check(.noSignal, curl.setopt(easy, .noSignal, 1))
        // libcurl (7.88 at least) walks its whole DNS cache on every new connection, and keeps a name for 60 s:
        // over a list of many hosts that walk grew to tens of thousands of entries per URL and cut the rate 20-fold.
        // Connections are reused per host, so a name is resolved once per connection, not per request.
        try check(.dnsCacheTimeout, curl.setopt(easy, .dnsCacheTimeout, 0))
        try check(.noProgress, curl.setopt(easy, .noProgress, 1))
        try check(.httpGet, curl.setopt(easy, .httpGet, 1))
        // A proxy's answer to CONNECT stays out of the header callback, which then sees the origin's responses only.
        try check(.suppressConnectHeaders, curl.setopt(easy, .suppressConnectHeaders, 1))
        // trawl follows redirects itself, so it can strip credentials and count hops.
        try check(.followLocation, curl.setopt(easy, .followLocation, 0))
        // Bodies reach the write callback as they came; ``ContentDecoder`` undoes their coding.
        try check(.httpContentDecoding, curl.setopt(easy, .httpContentDecoding, 0))
        let allowed = curl.setopt(easy, .protocolsString, string: "http,https")
        if allowed == CurlCode.unknownOption {  // libcurl before 7.85
            try check(.protocols, curl.setopt(easy, .protocols, CurlCode.httpProtocols))
        } else {
            try check(.protocolsString, allowed)
        }
        try check(.errorBuffer, curl.setopt(easy, .errorBuffer, pointer: errorBuffer))
        try check(.privateData, curl.setopt(easy, .privateData, pointer: me))
        try check(.writeData, curl.setopt(easy, .writeData, pointer: me))
        try check(.headerData, curl.setopt(easy, .headerData, pointer: me))
        let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
            curlWriteCallback
        let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
            curlHeaderCallback
        try check(.writeFunction, curl.setopt(easy, .writeFunction, function: unsafeBitCast(write, to: CFunction.self)))
        try check(
            .headerFunction, curl.setopt(easy, .headerFunction, function: unsafeBitCast(header, to: CFunction.self)))
        if let api = curl.urlAPI, let handle = api.make() {
            if curl.setopt(easy, .curlURL, pointer: handle) == CurlCode.ok {
                parsedURL = handle
            } else {
                api.cleanup(handle)
            }
        }
    }

    private typealias CFunction = @convention(c) () -> Void

    /// The options that come from the transport's configuration: TLS trust, HTTP version and proxy defaults.
    private func configure(_ configuration: CurlMultiTransport.Configuration) throws(CurlTransportError) {
        let version = configuration.httpVersion == .http2 ? CurlHTTPVersion.http2OverTLS : CurlHTTPVersion.http11
        try check(.httpVersion, curl.setopt(easy, .httpVersion, version))
        if configuration.verifiesCertificates {
            try check(.sslVerifyPeer, curl.setopt(easy, .sslVerifyPeer, 1))
            try check(.sslVerifyHost, curl.setopt(easy, .sslVerifyHost, 2))
        } else {
            try check(.sslVerifyPeer, curl.setopt(easy, .sslVerifyPeer, 0))
            try check(.sslVerifyHost, curl.setopt(easy, .sslVerifyHost, 0))
        }
        if let bundle = configuration.caBundlePath {
            // CAINFO replaces the built-in bundle file; the system directory keeps the system's CAs trusted.
            let directory = configuration.systemCADirectory ?? Self.defaultCADirectory(curl: curl, easy: easy)
            try check(.caInfo, curl.setopt(easy, .caInfo, string: bundle))
            if let directory {
                // Some TLS backends (Secure Transport, Schannel) have no CAPATH: their system store stays in use.
                let code = curl.setopt(easy, .caPath, string: directory)
                if code != CurlCode.ok && code != CurlCode.notBuiltIn { try check(.caPath, code) }
            }
        }
        // trawl chooses the proxy per request; an explicit NOPROXY also keeps libcurl from reading no_proxy.
        try check(.noProxy, curl.setopt(easy, .noProxy, string: configuration.proxy.noProxy.joined(separator: ",")))
        try check(.proxy, curl.setopt(easy, .proxy, string: ""))
    }

    /// libcurl's built-in CA directory (7.84 and later can say), else `/etc/ssl/certs` when it exists.
    private static func defaultCADirectory(curl: LibCurl, easy: LibCurl.Handle) -> String? {
        if let pointer = curl.getinfoPointer(easy, .defaultCAPath) {
            let path = String(cString: pointer.assumingMemoryBound(to: CChar.self))
            if !path.isEmpty { return path }
        }
        var status = stat()
        if stat("/etc/ssl/certs", &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { return "/etc/ssl/certs" }
        return nil
    }

    private func check(_ option: CurlOption, _ code: Int32) throws(CurlTransportError) {
        guard code != CurlCode.ok else { return }
        throw CurlTransportError(
            "\(curl.name) refused option \(option) (\(option.rawValue)): \(curl.describe(code)) (code \(code))")
    }

    /// The object behind a handle's `CURLINFO_PRIVATE`.
    static func owner(of easy: LibCurl.Handle, curl: LibCurl) -> CurlTransfer? {
        curl.getinfoPointer(easy, .privateData).map { Unmanaged<CurlTransfer>.fromOpaque($0).takeUnretainedValue() }
    }

    // MARK: Per request

    /// Sets up the handle for `request`; the caller adds it to the multi handle next.
    func start(id: UInt64, request: TransportRequest, continuation: Continuation) throws(RecordError) {
        self.id = id
        self.continuation = continuation
        body.begin(maxBytes: request.maxBodyBytes, keep: request.keepBody)
        errorBuffer[0] = 0
        try apply(request)
    }

    /// Sets the per-request options: URL, headers (a cached slist while they repeat) and timeouts.
    func apply(_ request: TransportRequest) throws(RecordError) {
        let url = request.url.absoluteString
        var code: Int32
        if let parsedURL, let api = curl.urlAPI {
            let parsed = api.set(parsedURL, CurlCode.urlPartWhole, url, CurlCode.urlParseFlags)
            // The URL was checked when read; what libcurl still refuses (a host name it will not resolve, such
            // as `a!b`) is what CURLE_URL_MALFORMAT would have said. Not the URL itself: it may hold a password.
            if parsed != 0 { throw RecordError(.invalidURL, "libcurl cannot use the URL: \(api.describe(parsed))") }
        } else {
            code = curl.setopt(easy, .url, string: url)
            if code != CurlCode.ok { throw RecordError(CurlCode.kind(code), curl.describe(code)) }
        }
        if listedHeaders != request.headers {
            let list = try makeHeaderList(request.headers)
            code = curl.setopt(easy, .httpHeader, pointer: list)
            if code != CurlCode.ok {
                curl.slistFreeAll(list)
                throw RecordError(.network, "libcurl refused the request headers: \(curl.describe(code))")
            }
            // Safe to free now: the handle points at the new list and is not in a transfer.
            curl.slistFreeAll(headerList)
            headerList = list
            listedHeaders = request.headers
        }
        let proxy = proxy(for: request.url) ?? ""
        if proxy != currentProxy {
            code = curl.setopt(easy, .proxy, string: proxy)
            if code != CurlCode.ok {
                throw RecordError(
                    .network, "libcurl refused the proxy \(ProxySettings.redacted(proxy)): \(curl.describe(code))")
            }
            currentProxy = proxy
        }
        let milliseconds = Self.milliseconds(request.timeout)
        code = curl.setopt(easy, .timeoutMilliseconds, milliseconds)
        if code == CurlCode.ok { code = curl.setopt(easy, .connectTimeoutMilliseconds, milliseconds) }
        if code != CurlCode.ok { throw RecordError(.network, "libcurl refused the timeout: \(curl.describe(code))") }
    }

    /// The proxy `url` goes through, or nil when it goes direct.
    private func proxy(for url: URL) -> String? {
        guard !proxySettings.isEmpty, let scheme = url.scheme, let host = url.host else { return nil }
        return proxySettings.proxy(scheme: scheme, host: host, port: url.port)
    }

    /// A whole number of milliseconds, rounded up, at least 1 (0 means "no timeout" to libcurl) and within a
    /// 32-bit `long`.
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        guard seconds < Int64(Int32.max) / 1000 else { return Int(Int32.max) }
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(1, total))
    }

    /// `Name: value` lines for `curl_slist_append`. Fields with CR or LF are dropped: they would split the
    /// request. Every field in the list costs libcurl a pass of its own header names over it on every request
    /// (about 700 instructions each), so what libcurl would send anyway is left to it: `Accept: */*`, its
    /// default, and `Expect:`, which it adds only to uploads (trawl sends GETs). `Accept-Encoding` names what
    /// ``ContentDecoder`` undoes, unless the caller's fields name one. nil when there is nothing to list.
    /// - Throws: when libcurl could not allocate the list.
    private func makeHeaderList(_ fields: HTTPHeaders) throws(RecordError) -> UnsafeMutableRawPointer? {
        var lines: [String] = []
        var namesAcceptEncoding = false
        for field in fields {
            guard !field.name.isEmpty,
                !field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 }),
                !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            else { continue }
            if field.name.caseInsensitiveEquals("accept") && field.value == "*/*" { continue }
            if field.name.caseInsensitiveEquals("accept-encoding") { namesAcceptEncoding = true }
            // "Name:" alone would remove a header curl adds itself; "Name;" sends it empty.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if !namesAcceptEncoding { lines.append("Accept-Encoding: \(ContentDecoder.acceptEncoding)") }
        var list: UnsafeMutableRawPointer?
        for line in lines {
            guard let next = line.withCString({ curl.slistAppend(list, $0) }) else {
                curl.slistFreeAll(list)
                throw RecordError(.network, "libcurl could not allocate the request headers")
            }
            list = next
        }
        return list
    }

    /// Body bytes from the write callback, as they came on the wire (less any chunked framing); returning
    /// anything but `bytes.count` aborts the transfer.
    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        // The status is asked of libcurl only for a corrupt body, not on every write.
        switch body.receive(bytes, declared: declaredCoding, status: self.curl.getinfo(self.easy, .responseCode) ?? 0) {
        case .more: return bytes.count
        case .failed:
            stopError = body.stopError
            return 0
        case .answerStands:
            corruptAnswerStands = true
            return 0
        }
    }

    /// One header line from the header callback, CRLF included. Every status line starts a new header block,
    /// so only the last response's fields (after any 1xx) are kept, and trailer fields are dropped. Runs once
    /// per header line of every response, so it scans with `memchr` rather than generic collection searches.
    /// - Returns: false to stop the transfer: the header block frames no certain body (``ContentLength``).
    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress else { return true }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var end = line.count
        while end > 0, bytes[end - 1] == 10 || bytes[end - 1] == 13 { end -= 1 }
        guard end > 0 else {
            // libcurl has read this block's status line by now: a 1xx block is not the final one.
            if !headerBlockEnded, let status = curl.getinfo(easy, .responseCode), status >= 200 {
                finalHeadersEnded = true
            }
            headerBlockEnded = true
            return true
        }
        // After the final response's blank line: a chunked body's trailer fields, which libcurl hands to this
        // callback too. They are no header fields (RFC 9110 section 6.5): a Location or Retry-After there must
        // not redirect or pause anything, and a trailer line that looks like a status line starts nothing.
        if finalHeadersEnded { return true }
        // "HTTP/" in any case, as libcurl takes it: a status line starts a new header block (after a 1xx).
        if end >= 5, bytes[0] | 0x20 == 104, bytes[1] | 0x20 == 116, bytes[2] | 0x20 == 116, bytes[3] | 0x20 == 112,
            bytes[4] == 47
        {
            fieldLines.pointee.removeAll()
            headerBlockEnded = false
            declaredLength = nil
            declaredCoding = .identity
            return true
        }
        // Between a header block's blank line and the next status line, if any: nothing a response holds.
        if headerBlockEnded { return true }
        guard let field = fieldLines.pointee.add(bytes, count: end) else { return true }
        if field.isNamed("content-length") { return checkContentLength(field.value) }
        if field.isNamed("content-encoding") { declaredCoding = declaredCoding.adding(field.value) }
        return true
    }

    /// Notes a `Content-Length` value; false when it is malformed or disagrees with an earlier one.
    private func checkContentLength(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let length = ContentLength.parse(value) else {
            stopError = ContentLength.error("'\(String(decoding: value.prefix(40), as: UTF8.self))'")
            return false
        }
        if let declared = declaredLength, declared != length {
            stopError = ContentLength.error("\(declared) and \(length)")
            return false
        }
        declaredLength = length
        return true
    }

    /// The outcome of the finished transfer with `code`; call before ``finish()``.
    func outcome(_ code: Int32) -> Result<TransportResponse, RecordError> {
        guard code == CurlCode.ok || (code == CurlCode.writeError && corruptAnswerStands) else {
            var error = failure(code)
            // The body failed after a whole header block: the record keeps that answer's status.
            if headerBlockEnded, let status = curl.getinfo(easy, .responseCode), status >= 200 { error.status = status }
            return .failure(error)
        }
        guard let status = curl.getinfo(easy, .responseCode), status > 0 else {
            return .failure(RecordError(.network, "no HTTP response"))
        }
        guard headerBlockEnded else {
            return .failure(RecordError(.network, "the connection closed inside the response's header block"))
        }
        // A page reported as fetched is whole. An error page or a redirect keeps its status: its body is not the
        // crawl's content, and a cut one is no reason to ask again.
        if let cutShort = body.cutShort(status: status) { return .failure(cutShort) }
        return .success(body.response(status: status, headers: HTTPHeaders(lines: fieldLines.pointee.bytes)))
    }

    private func failure(_ code: Int32) -> RecordError {
        if let stopError, code == CurlCode.writeError { return stopError }
        if code == CurlCode.outOfMemory && !headerBlockEnded && errorBuffer[0] == 0 {
            // libcurl 7.88 refuses a header line over its limit this way, with no message of its own.
            return RecordError(
                .network, "a header line of the response is over libcurl's 100 KB limit (libcurl says out of memory)")
        }
        var detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : curl.describe(code)
        var kind = CurlCode.kind(code)
        // libcurl 7.88 says only "Couldn't connect to server"; the errno says why ("Connection refused").
        if kind == .connect, let number = curl.getinfo(easy, .osErrno), number != 0,
            let reason = strerror(Int32(truncatingIfNeeded: number)).map({ String(cString: $0) }),
            !detail.contains(reason)
        {
            detail += " (\(reason))"
        }
        if kind == .tls {
            detail = TLSFailureText.describe(detail, handshake: code == CurlCode.sslConnectError)
        }
        guard !currentProxy.isEmpty else { return RecordError(kind, detail) }
        // Through a proxy: name it (without credentials) when the failure is the proxy's.
        detail = ProxySettings.scrub(detail, proxy: currentProxy)
        let proxy = ProxySettings.redacted(currentProxy)
        switch code {
        case 5: detail = "could not resolve the proxy \(proxy): \(detail)"
        case 7: detail = "could not connect to the proxy \(proxy): \(detail)"
        case 97: detail = "the proxy \(proxy) failed: \(detail)"
        default:
            // 7.88: "CONNECT tunnel failed, response 407"; older: "Received HTTP code 407 from proxy after CONNECT".
            if detail.contains("CONNECT tunnel failed") || detail.contains("from proxy after CONNECT") {
                kind = .connect
                detail = "the proxy \(proxy) refused the tunnel: \(detail)"
            }
        }
        return RecordError(kind, detail)
    }

    /// Forgets the request, making the handle idle, and returns its continuation for the caller to resume.
    func finish() -> Continuation? {
        let continuation = self.continuation
        self.continuation = nil
        id = 0
        body.reset()
        fieldLines.pointee.removeAll()
        declaredCoding = .identity
        headerBlockEnded = false
        finalHeadersEnded = false
        declaredLength = nil
        stopError = nil
        corruptAnswerStands = false
        return continuation
    }

    /// Releases the handle, its header list and its error buffer; the object is unusable afterwards.
    func close() {
        curl.easyCleanup(easy)
        body.close()
        if let parsedURL { curl.urlAPI?.cleanup(parsedURL) }
        parsedURL = nil
        curl.slistFreeAll(headerList)
        headerList = nil
        errorBuffer.deallocate()
        fieldLines.pointee.free()
        fieldLines.deinitialize(count: 1)
        fieldLines.deallocate()
    }
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context)._withUnsafeGuaranteedRef {
        $0.receive(UnsafeRawBufferPointer(start: data, count: size * count))
    }
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let accepted = Unmanaged<CurlTransfer>.fromOpaque(context)._withUnsafeGuaranteedRef {
        $0.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    }
    return accepted ? size * count : 0
}
