# Week 4 assignment - deep NN
# NOTE: L_model_backward is written out fully (I wanted to see every step)

"""deep_nn.py -- L-layer net, numpy only"""
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(0, Z), Z


def initialize_parameters_deep(layer_dims):
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def linear_forward(A, W, b):
    Z = W @ A + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, lin_cache = linear_forward(A_prev, W, b)
    A, act_cache = relu(Z) if activation == "relu" else sigmoid(Z)
    return A, (lin_cache, act_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        act = "sigmoid" if l == L else "relu"
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], act)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    return float(cost)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def relu_backward(dA, cache):
    Z = cache
    return dA * (Z > 0)


def sigmoid_backward(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return dA * s * (1 - s)


def linear_activation_backward(dA, cache, activation):
    lin_cache, act_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, act_cache)
    else:
        dZ = sigmoid_backward(dA, act_cache)
    return linear_backward(dZ, lin_cache)


def L_model_backward(AL, Y, caches):
    # did it by hand instead of calling linear_activation_backward:
    # for the sigmoid output with cross-entropy, dZL = AL - Y directly
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dZ = AL - Y.reshape(AL.shape)
    for l in reversed(range(1, L + 1)):
        (A_prev, W, b), Z = caches[l - 1]
        if l != L:
            dZ = grads[f"dA{l}"] * (Z > 0)   # relu'
        grads[f"dW{l}"] = (dZ @ A_prev.T) / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        grads[f"dA{l - 1}"] = W.T @ dZ
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new_params = {}
    for l in range(1, L + 1):
        new_params[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        new_params[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return new_params
