import numpy as np

# one hidden layer -- parameter names listed once, used everywhere
PARAM_NAMES = "W1 b1 W2 b2".split()
HIDDEN_UNITS = 4


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(np.fmin(z, 0)) / (1 + np.exp(-np.abs(z)))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def layer_sizes(X, Y):
    return X.shape[0], HIDDEN_UNITS, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    shapes = [(n_h, n_x), (n_h, 1), (n_y, n_h), (n_y, 1)]
    parameters = {}
    for name, shape in zip(PARAM_NAMES, shapes):
        parameters[name] = np.random.randn(*shape) * 0.01 if name[0] == "W" else np.zeros(shape)
    return parameters


def forward_propagation(X, parameters, activation="tanh"):
    W1, b1, W2, b2 = (parameters[k] for k in PARAM_NAMES)
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1) if activation == "tanh" else sigmoid(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    gp = 1 - A1 ** 2 if activation == "tanh" else A1 * (1 - A1)
    dZ1 = parameters["W2"].T @ dZ2 * gp
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}


def update_parameters(parameters, grads, learning_rate=1.2):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in PARAM_NAMES}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {compute_cost(A2, Y):.6f}")
    return parameters


def predict(parameters, X, activation="tanh"):
    A2, _ = forward_propagation(X, parameters, activation)
    return (A2 > 0.5).astype(int)
