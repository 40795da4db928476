"""Correct, in a terse style: @ products, np.mean for the cost and db, the textbook
sigmoid 1 / (1 + e^(-z)) (overflows harmlessly to 0), clipped logs."""
import numpy as np

EPS = 1e-12


def sigmoid(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0.0


def propagate(w, b, X, Y):
    A = sigmoid(w.T @ X + b)
    A_safe = np.clip(A, EPS, 1 - EPS)
    cost = -np.mean(Y * np.log(A_safe) + (1 - Y) * np.log(1 - A_safe))
    dw = X @ (A - Y).T / X.shape[1]
    db = np.mean(A - Y)
    return {"dw": dw, "db": db}, float(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return (sigmoid(w.T @ X + b) > 0.5) * 1.0


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                learning_rate=learning_rate, print_cost=print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
