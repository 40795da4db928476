import numpy as np

# helper activations (given)
def sigmoid(Z):
    A = 1.0 / (1.0 + np.exp(-Z))
    return A, Z

def relu(Z):
    A = np.where(Z > 0, Z, 0.0)
    return A, Z


def initialize_parameters_deep(layer_dims):
    parameters = dict()
    num_layers = len(layer_dims) - 1
    for layer in range(1, num_layers + 1):
        rows = layer_dims[layer]
        cols = layer_dims[layer - 1]
        parameters["W" + str(layer)] = np.random.randn(rows, cols) * np.sqrt(1.0 / cols)
        parameters["b" + str(layer)] = np.zeros((rows, 1))
    return parameters


def linear_forward(A, W, b):
    Z = np.matmul(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "relu":
        A, activation_cache = relu(Z)
    elif activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        raise ValueError("unknown activation " + activation)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    num_layers = len(parameters) // 2
    caches = []
    A = X
    for layer in range(1, num_layers):
        W = parameters["W" + str(layer)]
        b = parameters["b" + str(layer)]
        A, cache = linear_activation_forward(A, W, b, "relu")
        caches.append(cache)
    W = parameters["W" + str(num_layers)]
    b = parameters["b" + str(num_layers)]
    AL, cache = linear_activation_forward(A, W, b, "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = AL.shape[1]
    losses = -(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    cost = np.mean(losses)
    return cost


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.matmul(dZ, A_prev.T)
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.matmul(W.T, dZ)
    return dA_prev, dW, db


def relu_backward(dA, cache):
    Z = cache
    dZ = dA.copy()
    dZ[Z <= 0] = 0.0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    sig, _ = sigmoid(Z)
    dZ = dA * sig * (1.0 - sig)
    return dZ


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        raise ValueError("unknown activation " + activation)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    num_layers = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = (1 - Y) / (1 - AL) - Y / AL
    dA_prev, dW, db = linear_activation_backward(dAL, caches[num_layers - 1], "sigmoid")
    grads["dA" + str(num_layers - 1)] = dA_prev
    grads["dW" + str(num_layers)] = dW
    grads["db" + str(num_layers)] = db
    for layer in range(num_layers - 1, 0, -1):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(layer)], caches[layer - 1], "relu")
        grads["dA" + str(layer - 1)] = dA_prev
        grads["dW" + str(layer)] = dW
        grads["db" + str(layer)] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    updated = {}
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated
