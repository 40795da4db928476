"""
Assignment: planar data classification, one hidden layer.
I keep everything in float32 (that's what we use in the GPU course, saves memory).
"""
import numpy as np

DTYPE = np.float32


def sigmoid(z):
    z = np.asarray(z, dtype=DTYPE)
    # clip so np.exp doesn't overflow in float32 (exp(89) is inf in float32)
    z = np.clip(z, -80, 80)
    return (1.0 / (1.0 + np.exp(-z))).astype(DTYPE)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (DTYPE(1) - s)


def layer_sizes(X, Y):
    n_x = X.shape[0]
    n_h = 4
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    W1 = (np.random.randn(n_h, n_x) * 0.01).astype(DTYPE)
    b1 = np.zeros((n_h, 1), dtype=DTYPE)
    W2 = (np.random.randn(n_y, n_h) * 0.01).astype(DTYPE)
    b2 = np.zeros((n_y, 1), dtype=DTYPE)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters, activation="tanh"):
    X = X.astype(DTYPE)
    W1 = parameters["W1"].astype(DTYPE)
    b1 = parameters["b1"].astype(DTYPE)
    W2 = parameters["W2"].astype(DTYPE)
    b2 = parameters["b2"].astype(DTYPE)

    Z1 = np.dot(W1, X) + b1
    if activation == "sigmoid":
        A1 = sigmoid(Z1)
    else:
        A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)

    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    A2 = A2.astype(DTYPE)
    Y = Y.astype(DTYPE)
    m = Y.shape[1]
    cost = -(1.0 / m) * np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return float(cost)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    X = X.astype(DTYPE)
    Y = Y.astype(DTYPE)
    m = X.shape[1]
    W2 = parameters["W2"].astype(DTYPE)
    A1 = cache["A1"].astype(DTYPE)
    A2 = cache["A2"].astype(DTYPE)

    dZ2 = A2 - Y
    dW2 = (1.0 / m) * np.dot(dZ2, A1.T)
    db2 = (1.0 / m) * np.sum(dZ2, axis=1, keepdims=True)

    if activation == "sigmoid":
        dZ1 = np.dot(W2.T, dZ2) * (A1 * (1 - A1))
    else:
        dZ1 = np.dot(W2.T, dZ2) * (1 - A1 * A1)
    dW1 = (1.0 / m) * np.dot(dZ1, X.T)
    db1 = (1.0 / m) * np.sum(dZ1, axis=1, keepdims=True)

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    lr = DTYPE(learning_rate)
    new_params = {}
    for key in ["W1", "b1", "W2", "b2"]:
        new_params[key] = (parameters[key] - lr * grads["d" + key]).astype(DTYPE)
    return new_params


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration", i, ":", cost)
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return np.where(A2 > 0.5, 1, 0)
