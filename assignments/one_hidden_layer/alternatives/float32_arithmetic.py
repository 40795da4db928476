"""Correct: everything computed in float32 (the tolerance must accept single precision)."""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float32)
    with np.errstate(over="ignore"):
        return (1 / (1 + np.exp(-z))).astype(np.float32)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (np.float32(1) - s)


def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[0])


def initialize_parameters(n_x, n_h, n_y):
    return {
        "W1": (np.random.randn(n_h, n_x) * 0.01).astype(np.float32),
        "b1": np.zeros((n_h, 1), dtype=np.float32),
        "W2": (np.random.randn(n_y, n_h) * 0.01).astype(np.float32),
        "b2": np.zeros((n_y, 1), dtype=np.float32),
    }


def forward_propagation(X, parameters, activation="tanh"):
    p = {k: v.astype(np.float32) for k, v in parameters.items()}
    X = X.astype(np.float32)
    Z1 = np.matmul(p["W1"], X) + p["b1"]
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = np.matmul(p["W2"], A1) + p["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    A2 = A2.astype(np.float32)
    Y = Y.astype(np.float32)
    m = Y.shape[1]
    return float(-np.sum(np.multiply(Y, np.log(A2)) + np.multiply(1 - Y, np.log(1 - A2))) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    X = X.astype(np.float32)
    Y = Y.astype(np.float32)
    m = np.float32(X.shape[1])
    A1 = cache["A1"].astype(np.float32)
    A2 = cache["A2"].astype(np.float32)
    W2 = parameters["W2"].astype(np.float32)
    dZ2 = A2 - Y
    dW2 = np.matmul(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    if activation == "tanh":
        dZ1 = np.matmul(W2.T, dZ2) * (1 - A1**2)
    else:
        dZ1 = np.matmul(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.matmul(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    lr = np.float32(learning_rate)
    return {k: (parameters[k] - lr * grads["d" + k]).astype(np.float32) for k in ("W1", "b1", "W2", "b2")}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, learning_rate=1.2)
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return (A2 > 0.5).astype(np.int64)
