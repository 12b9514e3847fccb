/// Deterministic HTML-ish filler: the same size always gives the same bytes.
enum PageBody {
    private static let head = Array("<!doctype html>\n<html><head><title>trawl test page</title></head><body>\n".utf8)
    private static let tail = Array("</body></html>\n".utf8)
    private static let line = Array("<p>The quick brown fox jumps over the lazy dog. 0123456789</p>\n".utf8)

    /// A page of exactly `size` bytes: an HTML frame around repeated paragraphs, or plain filler when too small.
    static func make(size: Int) -> [UInt8] {
        guard size >= head.count + tail.count else { return filler(offset: 0, count: size) }
        var bytes = head
        bytes.reserveCapacity(size)
        let middle = size - head.count - tail.count
        bytes.append(contentsOf: filler(offset: 0, count: middle))
        bytes.append(contentsOf: tail)
        return bytes
    }

    /// `count` bytes of the endless paragraph stream starting at `offset`, for streamed bodies.
    static func filler(offset: Int, count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var position = offset % line.count
        while bytes.count < count {
            let take = min(line.count - position, count - bytes.count)
            bytes.append(contentsOf: line[position..<(position + take)])
            position = 0
        }
        return bytes
    }
}
