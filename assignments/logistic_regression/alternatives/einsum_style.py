"""Correct, every product written with np.einsum; sigmoid via logaddexp; the cost
as the mean of softplus terms."""
import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def initialize_with_zeros(dim):
    w = np.zeros(dim)[:, np.newaxis]
    return w, float(0)


def propagate(w, b, X, Y):
    m = X.shape[1]
    z = np.einsum("ji,jk->ik", w, X) + b          # (1, m)
    a = sigmoid(z)
    losses = np.where(Y == 1, np.logaddexp(0.0, -z), np.logaddexp(0.0, z))
    cost = np.einsum("ij->", losses) / m
    err = a - Y
    dw = np.einsum("jk,ik->ji", X, err) / m        # (n_x, 1)
    db = np.einsum("ik->", err) / m
    return {"dw": dw, "db": float(db)}, float(cost)


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    i = 0
    while i < num_iterations:
        grads, cost = propagate(w, b, X, Y)
        if i % 100 == 0:
            costs.append(cost)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        i += 1
    return dict(w=w, b=b), dict(dw=grads["dw"], db=grads["db"]), costs


def predict(w, b, X):
    return np.round(sigmoid(np.einsum("ji,jk->ik", w, X) + b) - 1e-12)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                    learning_rate=learning_rate, print_cost=print_cost)
    result = dict(costs=costs, learning_rate=learning_rate, num_iterations=num_iterations, **params)
    result["Y_prediction_train"] = predict(params["w"], params["b"], X_train)
    result["Y_prediction_test"] = predict(params["w"], params["b"], X_test)
    return result
