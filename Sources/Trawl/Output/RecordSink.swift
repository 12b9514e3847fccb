/// Receives each final record once, as soon as it is final. Called concurrently from many tasks.
public protocol RecordSink: Sendable {
    /// Takes a final record.
    func write(_ record: Record)
}
