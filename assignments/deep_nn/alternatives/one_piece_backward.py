"""L_model_backward written in one piece (no helpers), starting from dZL = AL - Y;
the forward pass recomputed from the caches' own arrays; update on a copy with -= ."""

import numpy as np


def sigmoid(Z):
    return np.exp(-np.logaddexp(0, -Z)), Z


def relu(Z):
    A = Z.copy()
    A[A < 0] = 0
    return A, Z


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(len(layer_dims) - 1):
        n_prev, n = layer_dims[l], layer_dims[l + 1]
        parameters["W" + str(l + 1)] = np.random.randn(n, n_prev) * (1 / np.sqrt(n_prev))
        parameters["b" + str(l + 1)] = np.zeros(shape=(n, 1))
    return parameters


def linear_forward(A, W, b):
    Z = np.matmul(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z = np.matmul(W, A_prev) + b
    if activation == "relu":
        A = np.maximum(Z, 0)
    else:
        A = 1 / (1 + np.exp(-Z))
    return A, ((A_prev, W, b), Z)


def L_model_forward(X, parameters):
    caches = []
    A = X
    n_layers = len([k for k in parameters if k.startswith("W")])
    for l in range(1, n_layers + 1):
        A, cache = linear_activation_forward(A, parameters["W%s" % l], parameters["b%s" % l],
                                             "relu" if l != n_layers else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    total = 0.0
    for i in range(m):
        y, a = Y[0, i], AL[0, i]
        total += -(y * np.log(a) + (1 - y) * np.log(1 - a))
    return total / m


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = dZ.shape[1]
    dW = np.matmul(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=1).reshape(-1, 1) / m
    dA_prev = np.matmul(W.T, dZ)
    return dA_prev, dW, db


def relu_backward(dA, cache):
    return dA * np.heaviside(cache, 0)


def sigmoid_backward(dA, cache):
    a = 1 / (1 + np.exp(-cache))
    return dA * a * (1 - a)


def linear_activation_backward(dA, cache, activation):
    (A_prev, W, b), Z = cache
    if activation == "sigmoid":
        a = 1 / (1 + np.exp(-Z))
        dZ = dA * a * (1 - a)
    else:
        dZ = dA * (Z > 0)
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dZ = AL - Y  # sigmoid and cross-entropy together
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        if l < L:
            dZ = grads["dA" + str(l)] * (Z > 0)
        grads["dW" + str(l)] = dZ @ A_prev.T / m
        grads["db" + str(l)] = dZ.sum(axis=1, keepdims=True) / m
        grads["dA" + str(l - 1)] = W.T @ dZ
    return grads


def update_parameters(parameters, grads, learning_rate):
    params = {k: v.copy() for k, v in parameters.items()}
    for l in range(1, len(params) // 2 + 1):
        params["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        params["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return params
