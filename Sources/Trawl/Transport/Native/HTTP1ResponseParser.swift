#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An incremental HTTP/1.x response parser for the native transport: fed the bytes a connection reads, it finds
/// the final response's status and header fields, undoes chunked framing, hands the body on, and says where the
/// response ended and whether the connection may carry the next request.
///
/// It keeps its fields in a ``FieldLines``, as ``CurlTransfer`` does, and checks `Content-Length` as it does, so
/// both transports report the same fields for the same bytes, and it frames the body as RFC 9112
/// section 6.3 asks. It does no I/O and, once its two buffers have grown, allocates nothing per response: it runs
/// for every response of a crawl, so lines are found with `memchr` and read in place from the input, and copied
/// only when one is split across inputs. A noncopyable struct, held by its connection: a class's state costs a
/// dynamic exclusivity check on nearly every access, a struct's one per call.
struct HTTP1ResponseParser: ~Copyable {
    /// What one call of ``parse(_:body:)`` or ``finish()`` came to.
    enum Step: Equatable {
        /// Every input byte was consumed and the response is not over.
        case needMore
        /// The final response ended after `consumed` bytes of this input; the rest is not consumed.
        case complete(consumed: Int)
        /// The body closure returned false.
        case stopped
        /// A protocol error; the message is meant for `RecordError(.network, message)`.
        case failed(String)
    }

    /// Where in a response the next byte falls.
    private enum State {
        case statusLine
        case fieldLine
        case fixedBody
        case untilClose
        case chunkSize
        case chunkData
        /// After a chunk's data: its line break, a CR of which may have come already.
        case chunkDataEnd(sawCR: Bool)
        case trailer
        case complete
        case stopped
        case failed(String)
    }

    private let maxHeaderBytes: Int
    private var state = State.statusLine
    /// The start of a line split across inputs; its capacity is kept from response to response.
    private var pending: [UInt8] = []
    /// Bytes of every header block so far (the 1xx ones too), or of the trailer section once in it.
    private var lineBytes = 0
    /// A `Content-Length` body's length, a chunk's size, and how much of either has come.
    private var length = 0
    private var lengthReceived = 0

    // The current header block's status line and the fields that frame its body.
    private var blockStatus = 0
    private var isHTTP11 = false
    private var declaredLength: Int?
    /// Why the block's `Content-Length` frames nothing certain; it fails the response only when the length counts.
    private var lengthError: String?
    private var hasTransferEncoding = false
    private var isChunked = false
    private var listsClose = false
    private var listsKeepAlive = false

    /// Whether any byte of a response arrived: a kept-alive connection the server closed before any is safe to
    /// retry on another.
    private(set) var receivedAnything = false
    /// Whether the final header block (status 200 or above) has ended with its blank line.
    private(set) var headersComplete = false
    /// The final response's status once ``headersComplete``; 0 before.
    private(set) var status = 0
    /// The current header block's fields; trailer fields are not among them.
    private var fieldLines = FieldLines()
    /// The final response's fields as `name:value\n` lines, for ``HTTPHeaders/init(lines:)``.
    var headerLines: [UInt8] { fieldLines.bytes }
    /// The content coding the final response's `Content-Encoding` fields declare.
    private(set) var declaredCoding = ContentDecoder.Declared.identity
    /// After `.complete`: whether the connection may carry the next request.
    private(set) var keepsConnection = false

    /// Creates a parser that refuses a header block (all 1xx blocks and the final one together) or a trailer
    /// section longer than `maxHeaderBytes`.
    init(maxHeaderBytes: Int = 256 << 10) {
        self.maxHeaderBytes = maxHeaderBytes
    }

    deinit {
        fieldLines.free()
    }

    /// Makes the parser ready for the next response on the same connection, keeping its buffers' capacity.
    mutating func reset() {
        state = .statusLine
        pending.removeAll(keepingCapacity: true)
        lineBytes = 0
        length = 0
        lengthReceived = 0
        startBlock(status: 0, isHTTP11: false)
        receivedAnything = false
        headersComplete = false
        status = 0
        keepsConnection = false
    }

    /// Feeds the next bytes read from the connection; de-chunked body bytes go to `body` as they come, with the
    /// declared content coding and the status (the parser cannot be read while it parses), and `body` returns
    /// false to stop the response. After `.complete` (until ``reset()``), `.failed` or `.stopped`, a call
    /// returns the same again (`.complete(consumed: 0)` for a later input) and consumes nothing.
    mutating func parse(
        _ input: UnsafeRawBufferPointer,
        body: (_ bytes: UnsafeRawBufferPointer, _ declared: ContentDecoder.Declared, _ status: Int) -> Bool
    ) -> Step {
        if let step = terminalStep { return step }
        guard let base = input.baseAddress, !input.isEmpty else { return .needMore }
        receivedAnything = true
        let count = input.count
        var offset = 0
        while offset < count {
            switch state {
            case .statusLine, .fieldLine, .chunkSize, .trailer:
                guard let found = memchr(base + offset, 10, count - offset) else {
                    return keepPartialLine(UnsafeRawBufferPointer(start: base + offset, count: count - offset))
                }
                let end = base.distance(to: UnsafeRawPointer(found))
                let line = UnsafeRawBufferPointer(start: base + offset, count: end - offset)
                offset = end + 1
                if let step = completeLine(line, consumed: offset) { return step }
            case .fixedBody, .chunkData:
                let taken = min(length - lengthReceived, count - offset)
                lengthReceived += taken
                guard body(UnsafeRawBufferPointer(start: base + offset, count: taken), declaredCoding, status) else {
                    return stop()
                }
                offset += taken
                guard lengthReceived == length else { continue }
                if case .chunkData = state {
                    state = .chunkDataEnd(sawCR: false)
                } else {
                    state = .complete
                    return .complete(consumed: offset)
                }
            case .chunkDataEnd(let sawCR):
                let byte = base.load(fromByteOffset: offset, as: UInt8.self)
                offset += 1
                if byte == 10 {
                    state = .chunkSize
                } else if byte == 13 && !sawCR {
                    state = .chunkDataEnd(sawCR: true)
                } else {
                    return fail("a chunk of the response's chunked body does not end with a line break")
                }
            case .untilClose:
                let rest = UnsafeRawBufferPointer(start: base + offset, count: count - offset)
                guard body(rest, declaredCoding, status) else { return stop() }
                return .needMore
            case .complete, .stopped, .failed:
                return terminalStep ?? .needMore
            }
        }
        return .needMore
    }

    /// The peer closed the connection: `.complete(consumed: 0)` when that ends a close-delimited body (or the
    /// response had ended already), else why the response is cut short.
    mutating func finish() -> Step {
        if let step = terminalStep { return step }
        switch state {
        case .untilClose:
            state = .complete
            return .complete(consumed: 0)
        case .statusLine where !receivedAnything:
            return fail("the server closed the connection without answering")
        case .statusLine, .fieldLine:
            return fail("the connection closed inside the response's header block")
        case .fixedBody:
            return fail("the connection closed after \(lengthReceived) of the \(length) body bytes")
        default:
            return fail("the connection closed inside the chunked body")
        }
    }

    /// The step a finished response keeps answering with; nil while it runs.
    private var terminalStep: Step? {
        switch state {
        case .complete: .complete(consumed: 0)
        case .stopped: .stopped
        case .failed(let message): .failed(message)
        default: nil
        }
    }

    private mutating func fail(_ message: String) -> Step {
        state = .failed(message)
        keepsConnection = false
        return .failed(message)
    }

    private mutating func stop() -> Step {
        state = .stopped
        keepsConnection = false
        return .stopped
    }

    // MARK: Lines

    /// How many bytes a line of the current state may hold, its line break included.
    private var lineLimit: Int {
        switch state {
        case .chunkSize: maxHeaderBytes
        default: maxHeaderBytes - lineBytes
        }
    }

    /// The message for a line past ``lineLimit``.
    private var overLimitMessage: String {
        switch state {
        case .chunkSize: Self.malformedChunkSize
        case .trailer: "the response's trailer section is over \(Self.size(maxHeaderBytes))"
        default: "the response's header block is over \(Self.size(maxHeaderBytes))"
        }
    }

    /// Keeps the start of a line that the input ends inside, for the next input to complete.
    private mutating func keepPartialLine(_ bytes: UnsafeRawBufferPointer) -> Step {
        if pending.count + bytes.count >= lineLimit { return fail(overLimitMessage) }
        pending.append(contentsOf: bytes)
        // Refuse what cannot become a status line now: an HTTP/0.9 body may hold no line break at all.
        if case .statusLine = state, !Self.startsLikeStatusLine(pending) {
            return fail(Self.notStatusLine)
        }
        return .needMore
    }

    /// Handles a line whose line feed came, `consumed` bytes into the input; the start of the line may be in
    /// ``pending``. A step when the response ended or failed.
    private mutating func completeLine(_ rest: UnsafeRawBufferPointer, consumed: Int) -> Step? {
        guard pending.count + rest.count < lineLimit else { return fail(overLimitMessage) }
        if pending.isEmpty { return handleLine(rest, consumed: consumed) }
        var line: [UInt8] = []
        swap(&line, &pending)
        line.append(contentsOf: rest)
        let step = line.withUnsafeBytes { handleLine($0, consumed: consumed) }
        line.removeAll(keepingCapacity: true)
        swap(&line, &pending)
        return step
    }

    /// Handles one whole line, its line feed not included (a CR before it is, and trailing CRs are dropped).
    private mutating func handleLine(_ line: UnsafeRawBufferPointer, consumed: Int) -> Step? {
        if case .chunkSize = state {} else { lineBytes += line.count + 1 }
        let bytes = line.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var end = line.count
        if let bytes { while end > 0, bytes[end - 1] == 13 { end -= 1 } }
        guard let bytes, end > 0 else { return handleBlankLine(consumed: consumed) }
        switch state {
        case .statusLine: return handleStatusLine(bytes, end)
        case .chunkSize: return handleChunkSizeLine(bytes, end)
        case .fieldLine:
            // A 1xx block's fields are discarded with it.
            if blockStatus >= 200 { handleFieldLine(bytes, end) }
            return nil
        default:  // .trailer: its fields are no header fields (RFC 9110 section 6.5), so all are dropped.
            return nil
        }
    }

    /// A blank line: the end of a header block, or of the trailer section.
    private mutating func handleBlankLine(consumed: Int) -> Step? {
        switch state {
        case .statusLine: return fail(Self.notStatusLine)
        case .chunkSize: return fail(Self.malformedChunkSize)
        case .fieldLine: return endBlock(consumed: consumed)
        default:
            state = .complete
            return .complete(consumed: consumed)
        }
    }

    /// `bytes` in KB when whole ones, else in bytes.
    private static func size(_ bytes: Int) -> String {
        bytes % 1024 == 0 ? "\(bytes >> 10) KB" : "\(bytes) bytes"
    }

    private static let malformedChunkSize = "a chunk size line of the response is malformed"
    private static let notStatusLine = "the server's answer is not an HTTP/1.x status line"

    /// Whether `bytes` may still grow into a status line: they start like `HTTP/`, in any case.
    private static func startsLikeStatusLine(_ bytes: [UInt8]) -> Bool {
        let prefix: [UInt8] = [104, 116, 116, 112, 47]  // "http/"
        for index in 0..<min(5, bytes.count) where bytes[index] | (index < 4 ? 0x20 : 0) != prefix[index] {
            return false
        }
        return true
    }

    /// `HTTP/1.x`, spaces, three digits and anything after them (libcurl reads no reason phrase either).
    private mutating func handleStatusLine(_ bytes: UnsafePointer<UInt8>, _ end: Int) -> Step? {
        guard end >= 5, bytes[0] | 0x20 == 104, bytes[1] | 0x20 == 116, bytes[2] | 0x20 == 116,
            bytes[3] | 0x20 == 112, bytes[4] == 47
        else { return fail(Self.notStatusLine) }
        var index = 5
        while index < end, bytes[index] != 32 { index += 1 }
        let version = UnsafeBufferPointer(start: bytes + 5, count: index - 5)
        guard version.count == 3, version[0] == 49, version[1] == 46, version[2] == 48 || version[2] == 49 else {
            if !version.isEmpty, version.count <= 8, version.allSatisfy({ $0 == 46 || (48...57).contains($0) }) {
                return fail("the server answered HTTP/\(String(decoding: version, as: UTF8.self)), not HTTP/1.x")
            }
            return fail(Self.notStatusLine)
        }
        while index < end, bytes[index] == 32 { index += 1 }
        guard index > 8, index + 3 <= end, (49...57).contains(bytes[index]), (48...57).contains(bytes[index + 1]),
            (48...57).contains(bytes[index + 2]), index + 3 == end || !(48...57).contains(bytes[index + 3])
        else { return fail(Self.notStatusLine) }
        let code = Int(bytes[index] - 48) * 100 + Int(bytes[index + 1] - 48) * 10 + Int(bytes[index + 2] - 48)
        // trawl never asks to upgrade, so a 101 is no answer to its request.
        guard code != 101 else { return fail("the server switched protocols (101) though trawl asked for none") }
        startBlock(status: code, isHTTP11: version[2] == 49)
        state = .fieldLine
        return nil
    }

    /// Forgets the previous header block's fields (a 1xx one's) for the block a status line starts.
    private mutating func startBlock(status: Int, isHTTP11: Bool) {
        blockStatus = status
        self.isHTTP11 = isHTTP11
        fieldLines.removeAll()
        declaredCoding = .identity
        declaredLength = nil
        lengthError = nil
        hasTransferEncoding = false
        isChunked = false
        listsClose = false
        listsKeepAlive = false
    }

    /// The end of a header block: a 1xx one is followed by the next status line; the final one frames the body
    /// (RFC 9112 section 6.3).
    private mutating func endBlock(consumed: Int) -> Step? {
        guard blockStatus >= 200 else {
            state = .statusLine
            return nil
        }
        headersComplete = true
        status = blockStatus
        keepsConnection = isHTTP11 ? !listsClose : listsKeepAlive
        if blockStatus == 204 || blockStatus == 304 {
            state = .complete
            return .complete(consumed: consumed)
        }
        if isChunked {
            // Both framings at once may be a smuggling attempt: the connection is not trusted with another request.
            if declaredLength != nil || lengthError != nil { keepsConnection = false }
            state = .chunkSize
            return nil
        }
        if hasTransferEncoding {
            keepsConnection = false
            state = .untilClose
            return nil
        }
        if let lengthError { return fail(ContentLength.error(lengthError).message) }
        guard let declaredLength else {
            keepsConnection = false
            state = .untilClose
            return nil
        }
        guard declaredLength > 0 else {
            state = .complete
            return .complete(consumed: consumed)
        }
        length = declaredLength
        lengthReceived = 0
        state = .fixedBody
        return nil
    }

    // MARK: Fields and chunk sizes

    /// A chunk's size line: hex digits, optional spaces and an extension after `;`. Size 0 starts the trailer
    /// section.
    private mutating func handleChunkSizeLine(_ bytes: UnsafePointer<UInt8>, _ end: Int) -> Step? {
        var size = 0
        var index = 0
        while index < end, let digit = Self.hexValue(bytes[index]) {
            guard size >> 58 == 0 else { return fail(Self.malformedChunkSize) }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { return fail(Self.malformedChunkSize) }
        while index < end, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
        guard index == end || bytes[index] == 59 else { return fail(Self.malformedChunkSize) }
        if size == 0 {
            lineBytes = 0
            state = .trailer
        } else {
            length = size
            lengthReceived = 0
            state = .chunkData
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 97...102: Int(byte - 87)
        case 65...70: Int(byte - 55)
        default: nil
        }
    }

    /// One field line of a header block, kept by the rules of ``FieldLines``; the fields that frame the body are
    /// noted.
    private mutating func handleFieldLine(_ bytes: UnsafePointer<UInt8>, _ end: Int) {
        guard let field = fieldLines.add(bytes, count: end) else { return }
        if field.isNamed("content-length") {
            noteContentLength(field.value)
        } else if field.isNamed("content-encoding") {
            declaredCoding = declaredCoding.adding(field.value)
        } else if field.isNamed("transfer-encoding") {
            hasTransferEncoding = true
            // Chunked only when it is the last coding listed (RFC 9112 section 6.3).
            if let last = field.value.split(separator: 44).last {
                isChunked = Self.equalsFolded(Self.trimmed(last), "chunked")
            } else {
                isChunked = false
            }
        } else if field.isNamed("connection") {
            for token in field.value.split(separator: 44) {
                let word = Self.trimmed(token)
                if Self.equalsFolded(word, "close") { listsClose = true }
                if Self.equalsFolded(word, "keep-alive") { listsKeepAlive = true }
            }
        }
    }

    /// Notes a `Content-Length` value; a malformed one, or one that disagrees with an earlier one, fails the
    /// response if its length is what frames the body.
    private mutating func noteContentLength(_ value: UnsafeBufferPointer<UInt8>) {
        guard lengthError == nil else { return }
        guard let parsed = ContentLength.parse(value) else {
            lengthError = "'\(String(decoding: value.prefix(40), as: UTF8.self))'"
            return
        }
        if let declaredLength, declaredLength != parsed {
            lengthError = "\(declaredLength) and \(parsed)"
            return
        }
        declaredLength = parsed
    }

    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }

    private static func equalsFolded(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ lowercased: StaticString) -> Bool {
        bytes.elementsEqual(
            UnsafeBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount),
            by: HTTPHeaders.asciiCaseFolded)
    }
}
