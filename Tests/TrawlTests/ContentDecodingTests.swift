import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// The libcurl and native transports decode bodies themselves (``ContentDecoder``), so a compressed stream cut
/// short inside complete framing fails the URL instead of passing as a shorter page, as it did with libcurl
/// decoding. Every fetch runs on both, which must agree.
@Suite(.timeLimit(.minutes(1)), .serialized) struct ContentDecodingTests {
    let site: TestSite
    let transport: CurlMultiTransport
    let others: [any Transport]

    init() throws {
        site = try TestSite()
        transport = try CurlMultiTransport(maxConnectionsPerHost: 4)
        #if os(Linux)
            others = [try NativeHTTPTransport(configuration: .init(), fallback: transport)]
        #else
            others = []
        #endif
    }

    /// `path` fetched by libcurl's transport, after checking that every other one answers the same.
    private func fetch(_ path: String) async -> Result<TransportResponse, RecordError> {
        let request = TransportRequest(url: URL(string: site.url(path))!, timeout: .seconds(5), keepBody: true)
        let result = await Self.perform(request, on: transport)
        for other in others {
            let answer = await Self.perform(request, on: other)
            switch (result, answer) {
            case (.success(let expected), .success(let got)):
                #expect(
                    got.status == expected.status && got.body == expected.body && got.bodyBytes == expected.bodyBytes,
                    "\(type(of: other)) on \(path)")
            case (.failure(let expected), .failure(let got)):
                #expect(got == expected, "\(type(of: other)) on \(path)")
            default:
                Issue.record("\(type(of: other)) on \(path): \(answer), libcurl's: \(result)")
            }
        }
        return result
    }

    private static func perform(_ request: TransportRequest, on transport: any Transport) async
        -> Result<TransportResponse, RecordError>
    {
        do {
            return .success(try await transport.perform(request))
        } catch {
            return .failure(error)
        }
    }

    /// The error `path` failed with, which must be a `network` one after a whole 200 header block; nil (and an
    /// issue recorded) when it passed.
    private func networkFailure(_ path: String) async -> RecordError? {
        guard case .failure(let error) = await fetch(path) else {
            Issue.record("\(path) passed as a page")
            return nil
        }
        #expect(error.kind == .network && error.status == 200, "\(path): \(error)")
        return error
    }

    /// `encoded` fed to a fresh decoder in pieces of `pieceSize` bytes, each expected to go well, and the stream
    /// expected to end; what came out.
    private func decode(_ encoded: [UInt8], as coding: ContentDecoder.Coding, inPiecesOf pieceSize: Int) -> [UInt8] {
        let decoder = ContentDecoder()
        defer { decoder.end() }
        decoder.begin(coding)
        var decoded: [UInt8] = []
        var start = 0
        while start < encoded.count {
            let outcome = encoded[start..<min(start + pieceSize, encoded.count)].withUnsafeBytes { bytes in
                decoder.decode(bytes) { piece in
                    decoded += piece
                    return true
                }
            }
            #expect(outcome == .ok, "at byte \(start) in pieces of \(pieceSize)")
            start += pieceSize
        }
        #expect(decoder.finish() == nil, "in pieces of \(pieceSize)")
        return decoded
    }

    /// The page `/encoded` encodes, fetched plain.
    private func page(size: Int = 2048) async throws -> [UInt8] {
        try await fetch("/page/x?size=\(size)").get().body
    }

    @Test(arguments: ["length", "chunked", "close"])
    func wholeBodiesInEveryCodingDecodeToThePage(_ framing: String) async throws {
        let page = try await page(size: 70_000)  // more than one stored block, and than one output buffer
        for coding in ["gzip", "deflate", "deflate-raw", "br", "zstd"] {
            let response = try await fetch("/encoded?coding=\(coding)&size=70000&framing=\(framing)").get()
            #expect(response.body == page, "\(coding), \(framing)")
            #expect(response.bodyBytes == 70_000)
        }
        // A zlib stream labelled gzip decodes too, as libcurl's own decoder took it.
        let mislabelled = try await fetch("/encoded?coding=deflate&label=gzip&size=70000&framing=\(framing)").get()
        #expect(mislabelled.body == page)
        let three = try await self.page() + self.page() + self.page()
        for coding in ["gzip", "zstd"] {
            let members = try await fetch("/encoded?coding=\(coding)&members=3&framing=\(framing)").get()
            #expect(members.body == three, "\(coding)")
        }
        await transport.shutdown()
    }

    @Test(arguments: ["length", "chunked", "close"])
    func aCompressedStreamCutShortInsideCompleteFramingFails(_ framing: String) async throws {
        // cut=4 leaves all the content and drops half the gzip trailer; cut=100 stops inside the deflate data.
        // br: cut=1 drops the empty last meta-block; zstd: cut=2 stops inside the last block.
        let cuts = [
            ("gzip", 4), ("gzip", 100), ("deflate", 2), ("deflate-raw", 100), ("br", 1), ("br", 100), ("zstd", 2),
            ("zstd", 100),
        ]
        for (coding, cut) in cuts {
            let error = await networkFailure("/encoded?coding=\(coding)&cut=\(cut)&framing=\(framing)")
            #expect(error?.message.contains("stopped before the end of its compressed stream") == true, "\(error)")
        }
        // An error page or a redirect whose body is cut short keeps its status: its body is not the content.
        for status in [404, 302, 503] {
            let answer = try await fetch("/encoded?coding=gzip&cut=100&status=\(status)&framing=\(framing)").get()
            #expect(answer.status == status)
        }
        // The last of three members cut short fails too.
        let lastMember = await fetch("/encoded?coding=gzip&members=3&cut=4&framing=\(framing)")
        #expect((try? lastMember.get()) == nil)
        await transport.shutdown()
    }

    @Test func aBodyThatIsNotWhatItsCodingSaysFailsAsCorrupt() async throws {
        for coding in ["gzip", "br", "zstd"] {
            let error = await networkFailure("/encoded?coding=identity&label=\(coding)")
            #expect(error?.message.hasPrefix("the \(coding) body is corrupt: ") == true, "\(error)")
        }
        await transport.shutdown()
    }

    @Test(arguments: ["length", "chunked", "close"])
    func anErrorPageOrARedirectWhoseBodyIsCorruptKeepsItsStatus(_ framing: String) async throws {
        // As when such a body is cut short: a redirect is still followed, a 404 not retried as a network failure.
        for status in [404, 302, 503] {
            let answer = await fetch("/encoded?coding=identity&label=gzip&status=\(status)&framing=\(framing)")
            #expect((try? answer.get())?.status == status, "\(status): \(answer)")
        }
        // The handle goes on to decode the next page.
        let page = try await fetch("/encoded?coding=gzip&framing=\(framing)").get()
        #expect(page.bodyBytes == 2048)
        await transport.shutdown()
    }

    @Test func codingsTrawlDoesNotDecodeAndEmptyBodiesPassAsTheyCame() async throws {
        let page = try await page()
        let compress = try await fetch("/encoded?coding=compress").get()
        #expect(compress.body == page)  // labelled compress, sent plain: kept as it came
        let stacked = try await fetch("/encoded?coding=gzip&label=gzip,%20gzip").get()
        #expect(stacked.bodyBytes > 2048 && stacked.body.prefix(2) == [0x1F, 0x8B])
        let empty = try await fetch("/encoded?coding=identity&label=gzip&size=0").get()
        #expect(empty.status == 200 && empty.bodyBytes == 0)
        let identity = try await fetch("/encoded?coding=identity&label=identity").get()
        #expect(identity.body == page)
        await transport.shutdown()
    }

    @Test func theDecoderTakesItsInputInAnyPieces() async throws {
        // The encoded bytes, fetched under a label trawl leaves alone, fed to a decoder one byte at a time and
        // then in uneven pieces, with bytes after the end of the stream.
        let page = try await page(size: 70_000)
        for (coding, declared) in [
            ("gzip", ContentDecoder.Coding.gzip), ("deflate", .deflate), ("deflate-raw", .deflate), ("br", .brotli),
            ("zstd", .zstd),
        ] {
            let encoded = try await fetch("/encoded?coding=\(coding)&size=70000&label=x-as-is").get().body + [0, 0]
            for pieceSize in [1, 7, 4096] {
                #expect(decode(encoded, as: declared, inPiecesOf: pieceSize) == page, "\(coding), \(pieceSize)")
            }
        }
        await transport.shutdown()
    }

    @Test func bytesAfterTheLastMemberThatStartNoNewMemberAreDropped() async throws {
        // 0x1F is the first byte of a gzip member's magic; what follows it here is not the second (0x8B), so these
        // bytes start no member: dropped, as gzip(1) drops them ("trailing garbage ignored"), however they arrive.
        let page = try await page()
        let encoded = try await fetch("/encoded?coding=gzip&label=x-as-is").get().body
        for trailer: [UInt8] in [[0x1F, 0], [0x1F, 0x20, 0x3C, 0x21, 0x2D, 0x2D]] {
            for pieceSize in [1, 4096] {
                #expect(
                    decode(encoded + trailer, as: .gzip, inPiecesOf: pieceSize) == page, "\(trailer), \(pieceSize)")
            }
        }
        // A skippable frame (magic 5? 2A 4D 18) between zstd frames is skipped, and the frames after it decode.
        let skippable: [UInt8] = [0x5A, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 0x28, 0xB5, 0x2F, 0xFD]
        let zstdPage = try await fetch("/encoded?coding=zstd&label=x-as-is").get().body
        for pieceSize in [1, 3, 4096] {
            let decoded = decode(zstdPage + skippable + zstdPage + [0x1F], as: .zstd, inPiecesOf: pieceSize)
            #expect(decoded == page + page, "in pieces of \(pieceSize)")
        }
        // The same for a zstd frame (magic 28 B5 2F FD) and a brotli stream, which ends once.
        let frame = try await fetch("/encoded?coding=zstd&label=x-as-is").get().body
        let brotli = try await fetch("/encoded?coding=br&label=x-as-is").get().body
        for trailer: [UInt8] in [[0, 0], [0x28, 0xB5, 0, 0, 0, 0], [0x1F, 0x8B]] {
            for pieceSize in [1, 4096] {
                #expect(decode(frame + trailer, as: .zstd, inPiecesOf: pieceSize) == page, "\(trailer)")
                #expect(decode(brotli + trailer, as: .brotli, inPiecesOf: pieceSize) == page, "\(trailer)")
            }
        }
        await transport.shutdown()
    }

    @Test func aZstdFrameAskingForMoreThanAnEightMegabyteWindowIsRefused() async throws {
        // RFC 9659 limits the zstd content coding to an 8 MiB window; libzstd alone would allocate up to 128 MiB.
        var frame = try await fetch("/encoded?coding=zstd&label=x-as-is").get().body
        frame[5] = 14 << 3  // window descriptor: 2^(10 + 14) = 16 MiB
        let decoder = ContentDecoder()
        defer { decoder.end() }
        decoder.begin(.zstd)
        let outcome = frame.withUnsafeBytes { decoder.decode($0) { _ in true } }
        guard case .corrupt(let message) = outcome else {
            Issue.record("a 16 MiB window was taken: \(outcome)")
            return
        }
        #expect(message.hasPrefix("the zstd body is corrupt: "), "\(message)")
        // So is a later frame's, after one that decoded: it begins as a frame does, so it is no trailer.
        let taken = try await fetch("/encoded?coding=zstd&label=x-as-is").get().body
        for pieceSize in [1, 3, 4096] {
            var start = 0
            var outcomes: [ContentDecoder.Outcome] = []
            decoder.begin(.zstd)
            let both = taken + frame
            while start < both.count {
                outcomes.append(
                    both[start..<min(start + pieceSize, both.count)].withUnsafeBytes {
                        decoder.decode($0) { _ in true }
                    })
                start += pieceSize
            }
            #expect(outcomes.contains { if case .corrupt = $0 { true } else { false } }, "in pieces of \(pieceSize)")
        }
        frame[5] = 13 << 3  // 8 MiB: taken
        decoder.begin(.zstd)
        #expect(frame.withUnsafeBytes { decoder.decode($0) { _ in true } } == .ok)
        #expect(decoder.finish() == nil)
        await transport.shutdown()
    }

    @Test func theBodyCapStopsDecodingAndTheDecoderIsReused() async throws {
        // A refused piece stops the transfer with the cap's error; the same handle then decodes the next page.
        let request = TransportRequest(
            url: URL(string: site.url("/encoded?coding=gzip&size=100000"))!, timeout: .seconds(5),
            maxBodyBytes: 50_000)
        await #expect(throws: RecordError.self) { try await transport.perform(request) }
        let fits = try await fetch("/encoded?coding=gzip&size=100000").get()
        #expect(fits.bodyBytes == 100_000)
        await transport.shutdown()
    }
}
