import numpy as np

N_HIDDEN = 4
LEARNING_RATE = 1.2
EPS = np.finfo(float).eps


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


# activation name -> (function, derivative written with the activation output)
ACTIVATIONS = dict(
    tanh=(np.tanh, lambda a: 1 - a ** 2),
    sigmoid=(sigmoid, lambda a: a * (1 - a)),
)
PARAM_NAMES = ["W" + str(i) for i in (1, 2)] + ["b" + str(i) for i in (1, 2)]


def layer_sizes(X, Y):
    return X.shape[0], N_HIDDEN, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters, activation="tanh"):
    g, _ = ACTIVATIONS[activation]
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = g(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)


def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    _, g_prime = ACTIVATIONS[activation]
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dW2 = dZ2 @ cache["A1"].T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (parameters["W2"].T @ dZ2) * g_prime(cache["A1"])
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=LEARNING_RATE):
    return {name: parameters[name] - learning_rate * grads["d" + name] for name in PARAM_NAMES}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters, activation)
        grads = backward_propagation(parameters, cache, X, Y, activation)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print(i, compute_cost(A2, Y))
    return parameters


def predict(parameters, X, activation="tanh"):
    return (forward_propagation(X, parameters, activation)[0] > 0.5).astype(int)
