import numpy as np


def sigmoid(z):
    ez = np.exp(z)
    return ez / (1 + ez)   # same as 1/(1+e^-z), multiplied by e^z top and bottom


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), 0.0


def propagate(w, b, X, Y):
    m = X.shape[1]
    z = np.dot(w.T, X) + b
    a = sigmoid(z)
    cost = np.sum(Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)) / m
    dw = np.dot(X, (a - Y).T) / m
    db = np.sum(a - Y) / m
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return 1.0 * (np.dot(w.T, X) + b > 0)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    p, g, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    return {"costs": costs, "Y_prediction_test": predict(p["w"], p["b"], X_test),
            "Y_prediction_train": predict(p["w"], p["b"], X_train), "w": p["w"], "b": p["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
