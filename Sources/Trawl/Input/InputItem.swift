/// What the URL source hands the coordinator: a URL to fetch, or a record ready as it is.
public enum InputItem: Sendable {
    /// A valid, first-seen URL.
    case fetch(CrawlURL)
    /// A line that cannot be fetched, with its final record (boxed: rare, and a record is large, so every
    /// item stays small to copy).
    indirect case rejected(Record)
}
