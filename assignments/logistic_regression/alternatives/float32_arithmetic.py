"""Correct, computing in float32 throughout (a GPU habit): tanh form of the sigmoid,
logaddexp cost, 1.0 / m."""
import numpy as np

F = np.float32


def sigmoid(z):
    z = np.asarray(z, dtype=F)
    return F(0.5) * (F(1) + np.tanh(F(0.5) * z))


def initialize_with_zeros(dim):
    return np.zeros((dim, 1), dtype=F), 0.0


def propagate(w, b, X, Y):
    w, X, Y = w.astype(F), X.astype(F), Y.astype(F)
    m = X.shape[1]
    Z = np.dot(w.T, X) + F(b)
    A = sigmoid(Z)
    cost = (1.0 / m) * np.sum(Y * np.logaddexp(F(0), -Z) + (1 - Y) * np.logaddexp(F(0), Z))
    dZ = A - Y
    return {"dw": (1.0 / m) * np.dot(X, dZ.T), "db": F((1.0 / m) * np.sum(dZ))}, F(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w, b, lr = w.astype(F), F(b), F(learning_rate)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - lr * grads["dw"]
        b = b - lr * grads["db"]
        if not i % 100:
            costs.append(float(cost))
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    A = sigmoid(np.dot(w.astype(F).T, X.astype(F)) + F(b))
    return np.where(A > 0.5, F(1), F(0))


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    return {
        "costs": costs,
        "Y_prediction_test": predict(params["w"], params["b"], X_test),
        "Y_prediction_train": predict(params["w"], params["b"], X_train),
        "w": params["w"],
        "b": params["b"],
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
