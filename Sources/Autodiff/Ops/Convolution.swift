import Kernels

/// 2-D convolution of x [N, Cin, H, W] with weight [Cout, Cin/groups, KH, KW]
/// (PyTorch layout); pairs are (vertical, horizontal).
public func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), groups: Int = 1) -> Variable {
    let geometry = Conv2dGeometry(inputShape: x.shape, weightShape: weight.shape, stride: stride, padding: padding,
                                  dilation: (1, 1), groups: groups)
    let out = Tensor(uninitialized: geometry.outputShape)
    Conv2d.forward(geometry, input: x.value.pointer, weight: weight.value.pointer,
                   bias: bias.map { UnsafePointer($0.value.pointer) }, output: out.pointer)
    return Variable(out, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { gradient in
        if x.requiresGradient {
            Conv2d.backwardInput(geometry, outputGradient: gradient.pointer, weight: weight.value.pointer,
                                 inputGradient: x.gradientBuffer().pointer)
        }
        if weight.requiresGradient {
            Conv2d.backwardWeight(geometry, input: x.value.pointer, outputGradient: gradient.pointer,
                                  weightGradient: weight.gradientBuffer().pointer)
        }
        if let bias, bias.requiresGradient {
            Conv2d.backwardBias(geometry, outputGradient: gradient.pointer, biasGradient: bias.gradientBuffer().pointer)
        }
    }
}

/// Training-mode batch norm of x [N, C, …]: normalises with the batch's
/// statistics and moves `runningMean` / `runningVariance` towards them by
/// `momentum`, as PyTorch's BatchNorm2d does in train().
public func batchNorm2d(_ x: Variable, weight: Variable, bias: Variable, runningMean: Tensor, runningVariance: Tensor,
                        momentum: Float, epsilon: Float) -> Variable {
    let geometry = BatchNormGeometry(shape: x.shape)
    let out = Tensor(uninitialized: x.shape)
    let mean = Tensor(uninitialized: [geometry.channels])
    let inverseStd = Tensor(uninitialized: [geometry.channels])
    BatchNorm2d.trainingForward(geometry, input: x.value.pointer, weight: weight.value.pointer, bias: bias.value.pointer,
                                epsilon: epsilon, momentum: momentum, runningMean: runningMean.pointer,
                                runningVariance: runningVariance.pointer, output: out.pointer,
                                savedMean: mean.pointer, savedInverseStd: inverseStd.pointer)
    return Variable(out, inputs: [x, weight, bias]) { gradient in
        BatchNorm2d.trainingBackward(geometry, input: x.value.pointer, outputGradient: gradient.pointer,
                                     savedMean: mean.pointer, savedInverseStd: inverseStd.pointer,
                                     weight: weight.value.pointer,
                                     inputGradient: x.requiresGradient ? x.gradientBuffer().pointer : nil,
                                     weightGradient: weight.requiresGradient ? weight.gradientBuffer().pointer : nil,
                                     biasGradient: bias.requiresGradient ? bias.gradientBuffer().pointer : nil)
    }
}

/// Max pooling over x [N, C, H, W]; the stride defaults to the kernel.
public func maxPool2d(_ x: Variable, kernel: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0)) -> Variable {
    let geometry = Pool2dGeometry(shape: x.shape, kernel: kernel, stride: stride, padding: padding)
    let out = Tensor(uninitialized: geometry.outputShape)
    MaxPool2d.forward(geometry, input: x.value.pointer, output: out.pointer)
    return Variable(out, inputs: [x]) { gradient in
        MaxPool2d.backward(geometry, input: x.value.pointer, outputGradient: gradient.pointer,
                           inputGradient: x.gradientBuffer().pointer)
    }
}

/// Mean of every plane: x [N, C, H, W] → [N, C].
public func globalAvgPool2d(_ x: Variable) -> Variable {
    precondition(x.shape.count == 4, "global average pool of \(x.shape)")
    let planeSize = x.shape[2] * x.shape[3]
    let out = Tensor(uninitialized: [x.shape[0], x.shape[1]])
    GlobalAvgPool2d.forward(planes: out.count, planeSize: planeSize, input: x.value.pointer, output: out.pointer)
    return Variable(out, inputs: [x]) { gradient in
        GlobalAvgPool2d.backward(planes: out.count, planeSize: planeSize, outputGradient: gradient.pointer,
                                 inputGradient: x.gradientBuffer().pointer)
    }
}
