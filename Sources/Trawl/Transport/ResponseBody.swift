/// The body of one response as it arrives, for a transport that reads bodies as they came on the wire: decoded
/// by ``ContentDecoder`` when the header block declared a coding trawl undoes, counted against the cap, and kept
/// when the record wants it. Reused from response to response; lives on one thread.
final class ResponseBody {
    /// How receiving the latest bytes went.
    enum Verdict {
        /// Go on.
        case more
        /// Stop the transfer: ``stopError`` says why (past the cap, a corrupt page).
        case failed
        /// Stop the transfer, but the answer stands with its status and what was decoded: an error page's or a
        /// redirect's coded body turned out corrupt, and such a body is not the crawl's content.
        case answerStands
    }

    private let decoder = ContentDecoder()
    /// How many decoded bytes arrived.
    private(set) var received = 0
    /// The decoded bytes, when kept.
    private(set) var bytes: [UInt8] = []
    /// Why the body stopped the transfer, when it did.
    private(set) var stopError: RecordError?
    private var maxBytes = 0
    private var keep = false
    private var started = false
    private var decoding = false

    /// Prepares for the next response's body.
    func begin(maxBytes: Int, keep: Bool) {
        self.maxBytes = maxBytes
        self.keep = keep
    }

    /// Body bytes as they came (less any chunked framing); `declared` is the coding of the response's header
    /// block, read when the first bytes arrive, and `status` its status, asked only of a corrupt body.
    func receive(_ raw: UnsafeRawBufferPointer, declared: ContentDecoder.Declared, status: @autoclosure () -> Int)
        -> Verdict
    {
        if !started {
            started = true
            if case .coded(let coding) = declared {
                decoder.begin(coding)
                decoding = true
            }
        }
        guard decoding else { return accept(raw) ? .more : .failed }
        switch decoder.decode(raw, into: accept) {
        case .ok: return .more
        case .stopped: return .failed
        case .corrupt(let message):
            // A corrupt error page or redirect must not cost its status (a redirect not followed, a 404 retried as
            // a network failure).
            guard (200..<300).contains(status()) else { return .answerStands }
            stopError = RecordError(.network, message)
            return .failed
        }
    }

    /// Content bytes, decoded: counted against the cap, and kept when the record wants the body.
    private func accept(_ decoded: UnsafeRawBufferPointer) -> Bool {
        received += decoded.count
        if received > maxBytes {
            stopError = RecordError(.bodyTooLarge, "the body grew past \(maxBytes) bytes")
            return false
        }
        if keep { bytes.append(contentsOf: decoded) }
        return true
    }

    /// The failure of a whole answer with `status`, or nil when it stands: a page reported as fetched is whole, so
    /// a 2xx coded stream that stopped before its end fails. An error page or a redirect keeps its status: a cut
    /// body is no reason to ask again.
    func cutShort(status: Int) -> RecordError? {
        guard decoding, (200..<300).contains(status), let message = decoder.finish() else { return nil }
        return RecordError(.network, message, status: status)
    }

    /// The response built from `status`, `headers` and the body.
    func response(status: Int, headers: HTTPHeaders) -> TransportResponse {
        TransportResponse(status: status, headers: headers, body: bytes, bodyBytes: received)
    }

    /// Forgets the response, ready for the next one.
    func reset() {
        received = 0
        bytes = []
        stopError = nil
        if decoding { decoder.end() }
        started = false
        decoding = false
    }

    /// Releases the decoder's memory.
    func close() {
        decoder.end()
    }
}
