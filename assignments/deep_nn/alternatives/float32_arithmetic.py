"""Everything in float32; clipped sigmoid; 1.0 / m."""

import numpy as np


def sigmoid(Z):
    Z = np.clip(np.asarray(Z, dtype=np.float32), -60, 60)
    return (1.0 / (1.0 + np.exp(-Z))).astype(np.float32), Z


def relu(Z):
    Z = np.asarray(Z, dtype=np.float32)
    return np.maximum(np.float32(0), Z), Z


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        W = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["W" + str(l)] = W.astype(np.float32)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1), dtype=np.float32)
    return parameters


def linear_forward(A, W, b):
    A, W, b = (np.asarray(x, dtype=np.float32) for x in (A, W, b))
    return np.dot(W, A) + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A = np.asarray(X, dtype=np.float32)
    caches = []
    for l in range(1, L + 1):
        activation = "relu" if l < L else "sigmoid"
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    AL = np.asarray(AL, dtype=np.float32)
    Y = np.asarray(Y, dtype=np.float32)
    m = Y.shape[1]
    return float(-1.0 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def linear_backward(dZ, cache):
    A_prev, W, b = (np.asarray(x, dtype=np.float32) for x in cache)
    dZ = np.asarray(dZ, dtype=np.float32)
    m = A_prev.shape[1]
    dW = 1.0 / m * np.dot(dZ, A_prev.T)
    db = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def relu_backward(dA, cache):
    dZ = np.asarray(dA, dtype=np.float32).copy()
    dZ[np.asarray(cache) <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    s, _ = sigmoid(cache)
    return (np.asarray(dA, dtype=np.float32) * s * (1 - s)).astype(np.float32)


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        dZ = relu_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    AL = np.asarray(AL, dtype=np.float32)
    Y = np.asarray(Y, dtype=np.float32).reshape(AL.shape)
    L = len(caches)
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in reversed(range(1, L + 1)):
        activation = "sigmoid" if l == L else "relu"
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], activation)
        grads["dA" + str(l - 1)] = dA
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new = {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            new[p + str(l)] = (parameters[p + str(l)] - np.float32(learning_rate) * grads["d" + p + str(l)]).astype(np.float32)
    return new
