"""Every product written with np.einsum; db via einsum and [:, None]."""

import numpy as np


def sigmoid(Z):
    return 0.5 * (1 + np.tanh(0.5 * Z)), Z


def relu(Z):
    return np.maximum(Z, 0.0), Z


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        parameters["W%d" % l] = np.random.standard_normal((n, n_prev)) / n_prev ** 0.5
        parameters["b%d" % l] = np.zeros((n, 1))
    return parameters


def linear_forward(A, W, b):
    Z = np.einsum("ij,jk->ik", W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "relu":
        A, activation_cache = relu(Z)
    else:
        A, activation_cache = sigmoid(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W%d" % L], parameters["b%d" % L], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = AL.shape[1]
    return -(np.einsum("ij,ij->", Y, np.log(AL)) + np.einsum("ij,ij->", 1 - Y, np.log(1 - AL))) / m


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.einsum("ik,jk->ij", dZ, A_prev) / m
    db = np.einsum("ik->i", dZ)[:, None] / m
    dA_prev = np.einsum("ji,jk->ik", W, dZ)
    return dA_prev, dW, db


def relu_backward(dA, cache):
    return dA * (cache > 0).astype(float)


def sigmoid_backward(dA, cache):
    s = sigmoid(cache)[0]
    return np.einsum("ij,ij->ij", dA, s * (1 - s))


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    dAL = (1 - Y) / (1 - AL) - Y / AL
    grads["dA%d" % (L - 1)], grads["dW%d" % L], grads["db%d" % L] = linear_activation_backward(dAL, caches[-1], "sigmoid")
    for l in range(L - 1, 0, -1):
        grads["dA%d" % (l - 1)], grads["dW%d" % l], grads["db%d" % l] = linear_activation_backward(
            grads["dA%d" % l], caches[l - 1], "relu")
    return grads


def update_parameters(parameters, grads, learning_rate):
    updated = dict(parameters)
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated
