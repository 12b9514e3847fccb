import CTrawlCurl

/// Decodes a response body's content coding (`gzip`, `deflate`, `br`, `zstd`) as it arrives, through the zlib,
/// libbrotlidec and libzstd libcurl already loaded, and says whether the compressed stream reached its end.
///
/// libcurl decodes too, but does not check that the stream ended: a gzip body cut short inside complete framing (a
/// `Content-Length` that matches what came, a proper last chunk, or a close-delimited body whose connection dropped)
/// came out as a success with the bytes decoded so far. Decoding here turns that into a failure, and keeps the
/// body cap on decoded bytes. One decoder per transfer; a library's state and the output buffer exist only while a
/// coded body is arriving (``end()`` frees them). It lives on the event loop's thread only.
final class ContentDecoder {
    /// A content coding this decoder undoes.
    enum Coding: Equatable {
        case gzip
        /// RFC 9110's `deflate`: a zlib stream, or (as some servers send it) a bare deflate stream.
        case deflate
        case brotli
        case zstd

        /// The coding's name in `Content-Encoding` and `Accept-Encoding`.
        var name: String {
            switch self {
            case .gzip: "gzip"
            case .deflate: "deflate"
            case .brotli: "br"
            case .zstd: "zstd"
            }
        }

        /// Whether the library that decodes it is in the process.
        var isAvailable: Bool {
            switch self {
            case .gzip, .deflate: Zlib.shared != nil
            case .brotli: Brotli.shared != nil
            case .zstd: Zstd.shared != nil
            }
        }
    }

    /// What a response's `Content-Encoding` fields, taken together, ask of the client.
    enum Declared: Equatable {
        /// No coding, or `identity`: the body is the content.
        case identity
        case coded(Coding)
        /// A coding trawl does not decode (`compress`, one whose library is missing, codings stacked): the body is
        /// kept as it came.
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
                case "br": coding = .brotli
                case "zstd": coding = .zstd
                default: return .asIs
                }
                guard declared == .identity, coding.isAvailable else { return .asIs }
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
        /// The compressed data is corrupt; the message says how, in the library's words.
        case corrupt(String)
    }

    /// The `Accept-Encoding` value that asks for the codings this process can undo, or `identity` for none.
    static let acceptEncoding: String = {
        let names = [Coding.gzip, .deflate, .brotli, .zstd].filter(\.isAvailable).map(\.name)
        return names.isEmpty ? "identity" : names.joined(separator: ", ")
    }()

    private var zlibStream: Zlib.Stream?
    private var brotliState: Brotli.State?
    private var zstdContext: Zstd.Context?
    private var output: UnsafeMutablePointer<UInt8>?
    private static let outputSize = 16 * 1024
    private var coding: Coding = .gzip
    /// Whether the library's state is set up for the current body (the first bytes of a `deflate` body decide
    /// how).
    private var started = false
    /// The first byte of a `deflate` body, held until the second tells a zlib header from a bare stream.
    private var heldByte: UInt8?
    /// Whether the compressed stream (the last gzip member or zstd frame) has reached its end.
    private var ended = false
    /// Whether bytes after the end that start no new member or frame were dropped: nothing more is decoded then.
    private var droppingTrailer = false
    /// Whether decoding is past the first gzip member, with no output from the current one yet: a
    /// later one that fails its magic number was no member, and is dropped as a trailer.
    private var laterMemberUnproven = false
    /// The first bytes after a zstd frame's end, held until four tell whether another frame begins there.
    private var heldMagic: [UInt8] = [0, 0, 0, 0]
    private var heldMagicCount = 0
    /// Compressed bytes fed in for the current body.
    private var compressedBytes = 0

    /// Makes ready for a body in `coding`, which must be available.
    func begin(_ coding: Coding) {
        end()
        self.coding = coding
        heldByte = nil
        ended = false
        droppingTrailer = false
        laterMemberUnproven = false
        heldMagicCount = 0
        compressedBytes = 0
    }

    /// Decodes `input`, handing each decoded piece to `consume` (false stops).
    func decode(_ input: UnsafeRawBufferPointer, into consume: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard !input.isEmpty else { return .ok }
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
        switch coding {
        case .gzip, .deflate: return inflate(input, consume)
        case .brotli: return decodeBrotli(input, consume)
        case .zstd: return decodeZstd(input, consume)
        }
    }

    /// Why the body is incomplete once it has all arrived, or nil when its stream ended (or it was empty).
    func finish() -> String? {
        guard compressedBytes > 0, !ended else { return nil }
        let bytes = compressedBytes == 1 ? "1 byte" : "\(compressedBytes) bytes"
        return "the \(coding.name) body stopped before the end of its compressed stream (after \(bytes)), "
            + "though its framing said it was complete"
    }

    /// Frees the library's state and the output buffer; the decoder can begin again afterwards.
    func end() {
        if let zlibStream {
            if started, let zlib = Zlib.shared { _ = zlib.inflateEnd(zlibStream) }
            zlibStream.deallocate()
        }
        zlibStream = nil
        if let brotliState { Brotli.shared?.destroyInstance(brotliState) }
        brotliState = nil
        if let zstdContext { _ = Zstd.shared?.freeContext(zstdContext) }
        zstdContext = nil
        output?.deallocate()
        output = nil
        started = false
    }

    /// A zlib header (RFC 1950): deflate with a window of at most 32 KiB, and a check sum over the two bytes.
    static func isZlibHeader(_ first: UInt8, _ second: UInt8) -> Bool {
        first & 0x0F == 8 && first >> 4 <= 7 && (UInt16(first) << 8 | UInt16(second)) % 31 == 0
    }

    private func start(zlibHeader: Bool) -> String? {
        output = .allocate(capacity: Self.outputSize)
        switch coding {
        case .gzip, .deflate:
            guard let zlib = Zlib.shared else { return "zlib is not loaded" }
            let stream = Zlib.Stream.allocate(capacity: 1)
            stream.initialize(to: trawl_z_stream())
            zlibStream = stream
            // 15 + 32: a gzip or a zlib wrapper, whichever comes (libcurl too takes a zlib stream labelled gzip);
            // 15: a zlib wrapper; -15: bare deflate. All with zlib's largest window.
            let windowBits: Int32 = coding == .gzip ? 47 : zlibHeader ? 15 : -15
            let code = zlib.initialize(stream, windowBits: windowBits)
            guard code == Zlib.ok else { return "zlib could not start decoding (code \(code))" }
        case .brotli:
            brotliState = Brotli.shared?.createInstance(nil, nil, nil)
            guard brotliState != nil else { return "libbrotlidec could not start decoding" }
        case .zstd:
            guard let zstd = Zstd.shared, let context = zstd.createContext() else {
                return "libzstd could not start decoding"
            }
            zstdContext = context
            // Without the limit a response could make trawl take libzstd's default 128 MiB window for it.
            guard zstd.isError(zstd.setParameter(context, Zstd.windowLogMaxParameter, Zstd.windowLogMax)) == 0
            else { return "libzstd refused the 8 MiB window limit" }
        }
        started = true
        return nil
    }

    private func corrupt(_ detail: String) -> Outcome {
        .corrupt("the \(coding.name) body is corrupt: \(detail)")
    }

    private func inflate(_ input: UnsafeRawBufferPointer, _ consume: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let zlib = Zlib.shared, let stream = zlibStream, let output, let base = input.baseAddress else {
            return .ok
        }
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
                laterMemberUnproven = true
            }
            stream.pointee.next_out = output
            stream.pointee.avail_out = UInt32(Self.outputSize)
            let code = zlib.inflate(stream, Zlib.noFlush)
            let produced = Self.outputSize - Int(stream.pointee.avail_out)
            if produced > 0 {
                laterMemberUnproven = false
                if !consume(UnsafeRawBufferPointer(start: output, count: produced)) { return .stopped }
            }
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
                if laterMemberUnproven && stream.pointee.total_in <= 2 {
                    ended = true
                    droppingTrailer = true
                    return .ok
                }
                return corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)")
            }
        }
    }

    private func decodeBrotli(_ input: UnsafeRawBufferPointer, _ consume: (UnsafeRawBufferPointer) -> Bool)
        -> Outcome
    {
        // A brotli stream ends once; what follows its end is dropped.
        guard let brotli = Brotli.shared, let state = brotliState, let output, !ended else { return .ok }
        var availableIn = input.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        while true {
            var availableOut = Self.outputSize
            var nextOut: UnsafeMutablePointer<UInt8>? = output
            let result = brotli.decompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
            let produced = Self.outputSize - availableOut
            if produced > 0, !consume(UnsafeRawBufferPointer(start: output, count: produced)) { return .stopped }
            switch result {
            case Brotli.success:
                ended = true
                return .ok
            case Brotli.needsMoreOutput: continue
            case Brotli.needsMoreInput: return .ok
            default:
                let code = brotli.errorCode(state)
                return corrupt(brotli.errorString(code).map { String(cString: $0) } ?? "brotli error \(code)")
            }
        }
    }

    private func decodeZstd(_ input: UnsafeRawBufferPointer, _ consume: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        guard let zstd = Zstd.shared, let context = zstdContext else { return .ok }
        var position = 0
        while position < input.count && !droppingTrailer {
            if ended {
                // Frames, skippable ones among them, may follow one another (RFC 8878 section 3.1); bytes after the
                // end that do not begin with a frame's magic number are dropped. The magic is checked here, held
                // across pieces, so that a later frame that does begin with one and then fails (a window over
                // 8 MiB, corrupt blocks) fails the body rather than passing as a trailer.
                heldMagic[heldMagicCount] = input[position]
                heldMagicCount += 1
                position += 1
                let held = heldMagic[0..<heldMagicCount]
                guard Self.zstdMagic.starts(with: held) || Self.skippableMagic(startsWith: held) else {
                    droppingTrailer = true
                    return .ok
                }
                guard heldMagicCount == 4 else { continue }
                heldMagicCount = 0
                ended = false
                var ignored = 0
                let outcome = heldMagic.withUnsafeBytes { decodeZstdFrame($0, zstd, context, &ignored, consume) }
                guard outcome == .ok else { return outcome }
            } else {
                var consumed = 0
                let outcome = decodeZstdFrame(
                    UnsafeRawBufferPointer(rebasing: input[position...]), zstd, context, &consumed, consume)
                guard outcome == .ok else { return outcome }
                position += consumed
            }
        }
        return .ok
    }

    /// zstd's magic number, and a skippable frame's (its low four bits any): RFC 8878 sections 3.1.1 and 3.1.2.
    private static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
    private static func skippableMagic(startsWith bytes: ArraySlice<UInt8>) -> Bool {
        zip(bytes, [0x50, 0x2A, 0x4D, 0x18] as [UInt8]).enumerated().allSatisfy { index, pair in
            index == 0 ? pair.0 & 0xF0 == pair.1 : pair.0 == pair.1
        }
    }

    /// Feeds `input` to libzstd until it ends or a frame does, counting in `consumed` the bytes it took.
    private func decodeZstdFrame(
        _ input: UnsafeRawBufferPointer, _ zstd: Zstd, _ context: Zstd.Context, _ consumed: inout Int,
        _ consume: (UnsafeRawBufferPointer) -> Bool
    ) -> Outcome {
        guard let output else { return .ok }
        var source = trawl_zstd_in_buffer(src: input.baseAddress, size: input.count, pos: 0)
        defer { consumed = source.pos }
        while true {
            var target = trawl_zstd_out_buffer(dst: output, size: Self.outputSize, pos: 0)
            let code = zstd.decompressStream(context, &target, &source)
            if zstd.isError(code) != 0 {
                return corrupt(zstd.errorName(code).map { String(cString: $0) } ?? "zstd error \(code)")
            }
            if target.pos > 0, !consume(UnsafeRawBufferPointer(start: output, count: target.pos)) { return .stopped }
            // 0: a frame decoded and flushed whole.
            if code == 0 {
                ended = true
                return .ok
            }
            if source.pos == source.size && target.pos < target.size { return .ok }
        }
    }
}
