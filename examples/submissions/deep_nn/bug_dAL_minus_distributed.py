import numpy as np


def sigmoid(Z):
    """The logistic function, finite for any Z. Returns (A, cache) where cache is Z."""
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return A, Z


def relu(Z):
    """The rectified linear unit max(0, Z). Returns (A, cache) where cache is Z."""
    A = np.maximum(0, Z)
    return A, Z


def initialize_parameters_deep(layer_dims):
    params = {}
    for l, (n_prev, n_cur) in enumerate(zip(layer_dims[:-1], layer_dims[1:]), start=1):
        params[f"W{l}"] = np.random.randn(n_cur, n_prev) / np.sqrt(n_prev)
        params[f"b{l}"] = np.zeros((n_cur, 1))
    return params


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, lin_cache = linear_forward(A_prev, W, b)
    act = {"relu": relu, "sigmoid": sigmoid}[activation]
    A, act_cache = act(Z)
    return A, (lin_cache, act_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        kind = "sigmoid" if l == L else "relu"
        A, c = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], kind)
        caches.append(c)
    return A, caches


def compute_cost(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = dZ.sum(axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def relu_backward(dA, cache):
    return dA * (cache > 0)


def sigmoid_backward(dA, cache):
    s, _ = sigmoid(cache)
    return dA * s * (1 - s)


def linear_activation_backward(dA, cache, activation):
    lin_cache, act_cache = cache
    back = relu_backward if activation == "relu" else sigmoid_backward
    return linear_backward(back(dA, act_cache), lin_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)
    for l in range(L, 0, -1):
        kind = "sigmoid" if l == L else "relu"
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], kind)
        grads[f"dA{l - 1}"] = dA
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = db
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new = {}
    for l in range(1, L + 1):
        new[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        new[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return new
