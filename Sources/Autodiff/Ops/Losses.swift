import Kernels

/// Mean softmax cross-entropy of logits [B, C] against class labels.
public func crossEntropy(_ logits: Variable, labels: [Int], smoothing: Float = 0) -> Variable {
    let (batch, classes) = (logits.shape[0], logits.shape[1])
    let logitGradient = Tensor(uninitialized: logits.shape)
    let value = Loss.softmaxCrossEntropy(logits: logits.value.pointer, batch: batch, classes: classes, labels: labels,
                                         smoothing: smoothing, logitGradient: logitGradient.pointer)
    return Variable(Tensor(shape: [1], values: [value]), inputs: [logits]) { gradient in
        let upstream = gradient[flat: 0]
        Elementwise.accumulate(logitGradient.pointer, scaledBy: upstream, into: logits.gradientBuffer().pointer,
                               count: logitGradient.count)
    }
}

/// Mean squared error against a constant target of the same shape.
public func meanSquaredError(_ prediction: Variable, target: Tensor) -> Variable {
    let predictionGradient = Tensor(uninitialized: prediction.shape)
    let value = Loss.meanSquaredError(prediction: prediction.value.pointer, target: target.pointer,
                                      count: target.count, predictionGradient: predictionGradient.pointer)
    return Variable(Tensor(shape: [1], values: [value]), inputs: [prediction]) { gradient in
        Elementwise.accumulate(predictionGradient.pointer, scaledBy: gradient[flat: 0],
                               into: prediction.gradientBuffer().pointer, count: predictionGradient.count)
    }
}

/// KL(softmax(teacher) ‖ softmax(student)) averaged over the batch; the
/// teacher is a constant, so this is self-distillation toward it.
public func distillation(student: Variable, teacher: Tensor) -> Variable {
    let (batch, classes) = (student.shape[0], student.shape[1])
    let studentGradient = Tensor(uninitialized: student.shape)
    let value = Loss.distillation(student: student.value.pointer, teacher: teacher.pointer, batch: batch,
                                  classes: classes, studentGradient: studentGradient.pointer)
    return Variable(Tensor(shape: [1], values: [value]), inputs: [student]) { gradient in
        Elementwise.accumulate(studentGradient.pointer, scaledBy: gradient[flat: 0],
                               into: student.gradientBuffer().pointer, count: studentGradient.count)
    }
}
