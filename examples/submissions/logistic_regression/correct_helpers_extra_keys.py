"""Logistic regression, split into small helpers the way I like to read it."""
import numpy as np

EPSILON = 1e-10


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # same function, no overflow


def initialize_with_zeros(dim):
    w = np.zeros(shape=(dim, 1), dtype=float)
    b = float(0)
    return w, b


def _forward(w, b, X):
    return sigmoid(np.matmul(w.T, X) + b)


def _cross_entropy(A, Y):
    A = np.clip(A, EPSILON, 1.0 - EPSILON)
    per_example = -(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A))
    return float(per_example.mean())


def _gradients(A, X, Y):
    m = X.shape[1]
    error = A - Y
    return np.matmul(X, error.T) / m, float(error.sum() / m)


def propagate(w, b, X, Y):
    A = _forward(w, b, X)
    dw, db = _gradients(A, X, Y)
    grads = {"dw": dw, "db": db, "A": A}  # A kept for debugging
    return grads, _cross_entropy(A, Y)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs, history = [], []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        history.append(cost)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
    costs = history[::100]
    if print_cost:
        for i, c in zip(range(0, num_iterations, 100), costs):
            print(f"Cost after iteration {i}: {c}")
    params = {"w": w, "b": b, "iterations": num_iterations}
    return params, {"dw": grads["dw"], "db": grads["db"]}, costs


def predict(w, b, X):
    return np.where(_forward(w, b, X) > 0.5, 1.0, 0.0)


def _accuracy(pred, Y):
    return 100.0 * float(np.mean(pred == Y))


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    pred_train = predict(params["w"], params["b"], X_train)
    pred_test = predict(params["w"], params["b"], X_test)
    return {
        "costs": costs,
        "Y_prediction_test": pred_test,
        "Y_prediction_train": pred_train,
        "w": params["w"],
        "b": params["b"],
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
        "train_accuracy": _accuracy(pred_train, Y_train),
        "test_accuracy": _accuracy(pred_test, Y_test),
    }
