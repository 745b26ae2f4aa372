/// How the CLI starts the workbench.
public struct WorkbenchOptions: Sendable {
    /// Model to open: an embedded name or a folder; nil for the first embedded model.
    public var model: String?
    /// Image to open; nil to start without one.
    public var image: String?
    /// Draw with ASCII characters and no colour (also chosen when the terminal lacks 256 colours).
    public var ascii: Bool
    /// Whether a mouse click selects a token.
    public var mouse: Bool
    /// Where recent models and images are kept; nil for the XDG default.
    public var stateFile: String?
    /// What the sweep prompt offers first.
    public var sweepDataset: String

    public init(model: String? = nil, image: String? = nil, ascii: Bool = false, mouse: Bool = true,
                stateFile: String? = nil, sweepDataset: String = "/usr/share/datasets/fashion-mnist") {
        self.model = model
        self.image = image
        self.ascii = ascii
        self.mouse = mouse
        self.stateFile = stateFile
        self.sweepDataset = sweepDataset
    }
}
