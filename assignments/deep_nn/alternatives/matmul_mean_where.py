"""@ products, np.mean for db and the cost, np.where / boolean masks, one-line helpers."""

import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return Z * (Z > 0), Z


def initialize_parameters_deep(layer_dims):
    return {
        key: value
        for l in range(1, len(layer_dims))
        for key, value in (
            (f"W{l}", np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(1 / layer_dims[l - 1])),
            (f"b{l}", np.zeros((layer_dims[l], 1))),
        )
    }


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = {"relu": relu, "sigmoid": sigmoid}[activation](Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             "sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def linear_backward(dZ, cache):
    A_prev, W, _ = cache
    dW = dZ @ A_prev.T / dZ.shape[1]
    db = dZ.mean(axis=1, keepdims=True)
    return W.T @ dZ, dW, db


def relu_backward(dA, cache):
    return np.where(cache > 0, dA, 0.0)


def sigmoid_backward(dA, cache):
    s, _ = sigmoid(cache)
    return dA * s * (1 - s)


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    backward = relu_backward if activation == "relu" else sigmoid_backward
    return linear_backward(backward(dA, Z), linear_cache)


def L_model_backward(AL, Y, caches):
    L = len(caches)
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    grads = {}
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


def update_parameters(parameters, grads, learning_rate):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}
