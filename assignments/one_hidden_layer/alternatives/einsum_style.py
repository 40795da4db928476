"""Correct: every product written with np.einsum, sums over examples made explicit."""
import numpy as np


def sigmoid(z):
    z = np.clip(z, -500, 500)
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return np.multiply(s, 1 - s)


def layer_sizes(X, Y):
    n_x = X.shape[0]
    n_y = Y.shape[0]
    return (n_x, 4, n_y)


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    W2 = np.random.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = np.einsum("hi,im->hm", W1, X) + b1
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = np.einsum("oh,hm->om", W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    loss = -(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return float(np.einsum("im->", loss) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.einsum("om,hm->oh", dZ2, A1) / m
    db2 = np.einsum("om->o", dZ2)[:, None] / m
    deriv = 1 - A1 * A1 if activation == "tanh" else A1 * (1 - A1)
    dZ1 = np.einsum("oh,om->hm", parameters["W2"], dZ2) * deriv
    dW1 = np.einsum("hm,im->hi", dZ1, X) / m
    db1 = np.einsum("hm->h", dZ1).reshape(-1, 1) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    out = dict(parameters)
    for k in ("W1", "b1", "W2", "b2"):
        out[k] = out[k] - learning_rate * grads["d" + k]
    return out


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads, 1.2)
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return (A2 > 0.5).astype(int)
