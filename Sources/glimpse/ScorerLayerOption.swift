import ArgumentParser
import Models

extension ViTConfig {
    /// The block a Scorer reads after: the option's value, else the folder's
    /// Scorer's layer, else the default; a usage error outside `scorerLayers`.
    func chosenScorerLayer(_ option: Int?, named name: String, existing: Int?) throws -> Int {
        let layer = option ?? existing ?? defaultScorerLayer
        guard scorerLayers.contains(layer) else { throw ValidationError("\(name) must be in \(scorerLayers)") }
        return layer
    }
}
