import CTrawlCurl

/// Decodes a response body's `gzip` or `deflate` content coding as it arrives, through zlib, and says whether the
/// compressed stream reached its end.
///
/// libcurl decodes too, but does not check that the stream ended: a gzip body cut short inside complete framing (a
/// `Content-Length` that matches what came, a proper last chunk, or a close-delimited body whose connection dropped)
/// came out as a success with the bytes decoded so far. Decoding here turns that into a failure, and keeps the
/// body cap on decoded bytes. One decoder per transfer; zlib's state and the output buffer exist only while a coded
/// body is arriving (``end()`` frees them). It lives on the event loop's thread only.
final class ContentDecoder {
    /// A content coding this decoder undoes.
    enum Coding: Equatable {
        case gzip
        /// RFC 9110's `deflate`: a zlib stream, or (as some servers send it) a bare deflate stream.
        case deflate
    }

    /// What a response's `Content-Encoding` fields, taken together, ask of the client.
    enum Declared: Equatable {
        /// No coding, or `identity`: the body is the content.
        case identity
        case coded(Coding)
        /// A coding trawl does not decode (`br`, `zstd`, `compress`, codings stacked): the body is kept as it came.
        case asIs

        /// The codings of one more `Content-Encoding` field, listed after these.
        func adding(_ value: UnsafeBufferPointer<UInt8>) -> Declared {
            var declared = self
            for token in value.split(separator: 44) {  // ","
                var name = token[...]
                while let first = name.first, first == 32 || first == 9 { name = name.dropFirst() }
                while let last = name.last, last == 32 || last == 9 { name = name.dropLast() }
                let coding: Coding
                switch String(decoding: name, as: UTF8.self).lowercased() {
                case "", "identity": continue
                case "gzip", "x-gzip": coding = .gzip
                case "deflate": coding = .deflate
                default: return .asIs
                }
                guard declared == .identity else { return .asIs }
                declared = .coded(coding)
            }
            return declared
        }
    }

    /// How a piece of input went.
    enum Outcome: Equatable {
        case ok
        /// The consumer refused a decoded piece (the body cap): stop the transfer.
        case stopped
        /// The compressed data is corrupt; the message says how, in zlib's words.
        case corrupt(String)
    }

    /// The `Accept-Encoding` value that asks for what this decoder undoes, or `identity` when zlib is missing.
    static let acceptEncoding = Zlib.shared == nil ? "identity" : "gzip, deflate"

    private let zlib: Zlib
    private var stream: Zlib.Stream?
    private var output: UnsafeMutablePointer<UInt8>?
    private static let outputSize = 16 * 1024
    private var coding: Coding = .gzip
    /// Whether zlib's stream is set up for the current body (the first bytes of a `deflate` body decide how),
    /// holding state that `inflateEnd` must free.
    private var started = false
    /// The first byte of a `deflate` body, held until the second tells a zlib header from a bare stream.
    private var heldByte: UInt8?
    /// Whether the compressed stream (the last gzip member) has reached its end.
    private var ended = false
    /// Whether bytes after the end that start no new gzip member were dropped: nothing more is decoded then.
    private var droppingTrailer = false
    /// Whether zlib is past the first gzip member: a later one that fails its two magic bytes was no member.
    private var laterMember = false
    /// Compressed bytes fed in for the current body.
    private var compressedBytes = 0

    /// A decoder, or nil when the process has no zlib.
    init?() {
        guard let zlib = Zlib.shared else { return nil }
        self.zlib = zlib
    }

    /// Makes ready for a body in `coding`.
    func begin(_ coding: Coding) {
        end()
        self.coding = coding
        started = false
        heldByte = nil
        ended = false
        droppingTrailer = false
        laterMember = false
        compressedBytes = 0
    }

    /// Decodes `input`, handing each decoded piece to `consume` (false stops).
    func decode(_ input: UnsafeRawBufferPointer, into consume: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let base = input.baseAddress, !input.isEmpty else { return .ok }
        compressedBytes += input.count
        if !started {
            var zlibHeader = false
            if coding == .deflate {
                guard heldByte != nil || input.count > 1 else {
                    heldByte = input[0]
                    return .ok
                }
                zlibHeader =
                    heldByte.map { Self.isZlibHeader($0, input[0]) } ?? Self.isZlibHeader(input[0], input[1])
            }
            if let problem = start(zlibHeader: zlibHeader) { return .corrupt(problem) }
            if let held = heldByte {
                heldByte = nil
                let outcome = withUnsafeBytes(of: held) { inflate($0, consume) }
                guard outcome == .ok else { return outcome }
            }
        }
        return inflate(UnsafeRawBufferPointer(start: base, count: input.count), consume)
    }

    /// Why the body is incomplete once it has all arrived, or nil when its stream ended (or it was empty).
    func finish() -> String? {
        guard compressedBytes > 0, !ended else { return nil }
        let name = coding == .gzip ? "gzip" : "deflate"
        let bytes = compressedBytes == 1 ? "1 byte" : "\(compressedBytes) bytes"
        return "the \(name) body stopped before the end of its compressed stream (after \(bytes)), "
            + "though its framing said it was complete"
    }

    /// Frees zlib's state and the output buffer; the decoder can begin again afterwards.
    func end() {
        if let stream {
            if started { _ = zlib.inflateEnd(stream) }
            stream.deallocate()
        }
        stream = nil
        output?.deallocate()
        output = nil
        started = false
    }

    /// A zlib header (RFC 1950): deflate with a window of at most 32 KiB, and a check sum over the two bytes.
    static func isZlibHeader(_ first: UInt8, _ second: UInt8) -> Bool {
        first & 0x0F == 8 && first >> 4 <= 7 && (UInt16(first) << 8 | UInt16(second)) % 31 == 0
    }

    private func start(zlibHeader: Bool) -> String? {
        let stream = Zlib.Stream.allocate(capacity: 1)
        stream.initialize(to: trawl_z_stream())
        self.stream = stream
        output = .allocate(capacity: Self.outputSize)
        // 15 + 32: a gzip or a zlib wrapper, whichever comes (libcurl too takes a zlib stream labelled gzip);
        // 15: a zlib wrapper; -15: bare deflate. All with zlib's largest window.
        let windowBits: Int32 = coding == .gzip ? 47 : zlibHeader ? 15 : -15
        let code = zlib.initialize(stream, windowBits: windowBits)
        guard code == Zlib.ok else { return "zlib could not start decoding (code \(code))" }
        started = true
        return nil
    }

    private func inflate(_ input: UnsafeRawBufferPointer, _ consume: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let stream, let output, let base = input.baseAddress else { return .ok }
        stream.pointee.next_in = base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            if ended {
                guard stream.pointee.avail_in > 0, !droppingTrailer else { return .ok }
                // Another gzip member may follow (RFC 1952 section 2.2); anything else after the end is dropped.
                guard coding == .gzip, stream.pointee.next_in.pointee == 0x1F else {
                    droppingTrailer = true
                    return .ok
                }
                guard zlib.inflateReset(stream) == Zlib.ok else { return .corrupt("zlib could not reset") }
                ended = false
                laterMember = true
            }
            stream.pointee.next_out = output
            stream.pointee.avail_out = UInt32(Self.outputSize)
            let code = zlib.inflate(stream, Zlib.noFlush)
            let produced = Self.outputSize - Int(stream.pointee.avail_out)
            if produced > 0, !consume(UnsafeRawBufferPointer(start: output, count: produced)) { return .stopped }
            switch code {
            case Zlib.streamEnd:
                ended = true
            case Zlib.ok:
                // More to come only while input is left or the output buffer came back full.
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return .ok }
            case Zlib.bufferError:
                return .ok
            default:
                // A 0x1F after the end whose next byte is not 0x8B: zlib refuses the magic having read just those
                // two bytes of the member (total_in counts from inflateReset). They started no member: dropped.
                if laterMember && stream.pointee.total_in <= 2 && stream.pointee.total_out == 0 {
                    ended = true
                    droppingTrailer = true
                    return .ok
                }
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                return .corrupt("the \(coding == .gzip ? "gzip" : "deflate") body is corrupt: \(detail)")
            }
        }
    }
}
