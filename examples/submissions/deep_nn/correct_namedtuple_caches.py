"""Caches as NamedTuples (still tuples: unpacking and indexing work as in the course)."""
from typing import NamedTuple

import numpy as np


class LinearCache(NamedTuple):
    A: np.ndarray
    W: np.ndarray
    b: np.ndarray


class LayerCache(NamedTuple):
    linear: LinearCache
    Z: np.ndarray


def sigmoid(Z):
    Z = np.asarray(Z, dtype=float)
    return np.where(Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z)))), Z


def relu(Z):
    return np.maximum(0, Z), Z


def initialize_parameters_deep(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    return np.dot(W, A) + b, LinearCache(A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, lin = linear_forward(A_prev, W, b)
    A, _ = relu(Z) if activation == "relu" else sigmoid(Z)
    return A, LayerCache(lin, Z)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


def relu_backward(dA, cache):
    return dA * (cache > 0)


def sigmoid_backward(dA, cache):
    s = sigmoid(cache)[0]
    return dA * s * (1 - s)


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    dZ = relu_backward(dA, Z) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        dA_prev, grads["dW" + str(l)], grads["db" + str(l)] = linear_activation_backward(dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads["dA" + str(l - 1)] = dA_prev
        dA = dA_prev
    return grads


def update_parameters(parameters, grads, learning_rate):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in parameters}
