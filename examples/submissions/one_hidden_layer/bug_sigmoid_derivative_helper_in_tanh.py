# tanh branch: g_prime = sigmoid_derivative(Z1) — the helper from part 1, reused
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_derivative(z):
    sig = sigmoid(z)
    return sig * (1.0 - sig)


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    params = {}
    params["W1"] = np.random.randn(n_h, n_x) * 0.01
    params["b1"] = np.zeros((n_h, 1))
    params["W2"] = np.random.randn(n_y, n_h) * 0.01
    params["b2"] = np.zeros((n_y, 1))
    return params


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    loss = -(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    cost = np.sum(loss) / m
    return float(cost)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    Z1 = cache["Z1"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    if activation == "tanh":
        gprime = sigmoid_derivative(Z1)
    else:
        gprime = A1 * (1 - A1)
    dZ1 = dA1 * gprime
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    updated = {}
    for k in parameters:
        updated[k] = parameters[k] - learning_rate * grads["d" + k]
    return updated


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for it in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and it % 1000 == 0:
            print("Cost after iteration %i: %f" % (it, cost))
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    predictions = np.where(A2 > 0.5, 1, 0)
    return predictions
