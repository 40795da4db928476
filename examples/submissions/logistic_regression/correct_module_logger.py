"""Logistic regression (single sigmoid unit) trained with batch gradient descent.

Progress goes through the `logging` module instead of print, as in the rest of
my project: run with logging.basicConfig(level=logging.INFO) to see the costs.
"""
import logging

import numpy as np

logger = logging.getLogger(__name__)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * (1.0 + np.tanh(z / 2.0))


def initialize_with_zeros(dim):
    logger.debug("initialising w with %d zeros", dim)
    return np.zeros((dim, 1)), 0.0


def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = np.sum(np.logaddexp(0.0, -Z) * Y + np.logaddexp(0.0, Z) * (1.0 - Y)) / m
    dZ = A - Y
    grads = {"dw": X @ dZ.T / m, "db": float(np.sum(dZ)) / m}
    return grads, float(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            logger.log(logging.INFO if print_cost else logging.DEBUG, "Cost after iteration %i: %f", i, cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return (sigmoid(w.T @ X + b) > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_train = predict(w, b, X_train)
    Y_prediction_test = predict(w, b, X_test)
    logger.info("train accuracy: %.1f%%", 100 * np.mean(Y_prediction_train == Y_train))
    logger.info("test accuracy: %.1f%%", 100 * np.mean(Y_prediction_test == Y_test))
    return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
            "w": w, "b": b, "learning_rate": learning_rate, "num_iterations": num_iterations}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
